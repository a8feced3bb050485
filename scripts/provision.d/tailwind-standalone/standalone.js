// tailwindcss v3's standalone-cli/standalone.js, trimmed to the plugins phx.new uses: a config file
// requires these from the binary, not from a node_modules it does not have.
// The one file tailwind reads from its own package at run time (corePlugins.js reads
// `${__dirname}/css/preflight.css`) is in the executable, as its upstream build embeds it.
let fs = require('fs')
let preflight = require('tailwindcss/lib/css/preflight.css')
let readFileSync = fs.readFileSync
fs.readFileSync = function (file, ...rest) {
  if (typeof file === 'string' && file.endsWith('/tailwindcss/lib/css/preflight.css')) return preflight
  return readFileSync.call(this, file, ...rest)
}

let Module = require('module')
let origRequire = Module.prototype.require
let localModules = {
  'tailwindcss/colors': require('tailwindcss/colors'),
  'tailwindcss/defaultConfig': require('tailwindcss/defaultConfig'),
  'tailwindcss/defaultTheme': require('tailwindcss/defaultTheme'),
  'tailwindcss/resolveConfig': require('tailwindcss/resolveConfig'),
  'tailwindcss/plugin': require('tailwindcss/plugin'),
  '@tailwindcss/forms': require('@tailwindcss/forms'),
  tailwindcss: require('tailwindcss'),
}
Module.prototype.require = function (id) {
  if (Object.prototype.hasOwnProperty.call(localModules, id)) return localModules[id]
  return origRequire.apply(this, arguments)
}
require('tailwindcss/lib/cli')
