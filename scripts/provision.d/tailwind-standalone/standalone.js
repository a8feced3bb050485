// tailwindcss v3's standalone-cli/standalone.js, trimmed to the plugins phx.new uses: a config file
// requires these from the binary, not from a node_modules it does not have.
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
