#!/usr/bin/env bash
# A real browser for the tests that open an app's pages (tests/support/browser.mjs): Debian's headless
# `chromium`, driven by playwright-core (pinned with its integrity hash in browser/package-lock.json; it
# downloads no browser of its own) on the host's Node.js. Checked end to end: Chromium renders a page and
# runs its JavaScript, so a package that moved under us fails here with its cause named.
#
#   $ELIXIR_CNB_TOOLS/browser/node_modules/playwright-core
set -euo pipefail
me=browser
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${tools}/browser"
stamp="${tools}/browser.stamp"
key="$(script_hash "${here}/browser.sh" "${here}"/browser/{package.json,package-lock.json})"

apt_install chromium
command -v node >/dev/null || apt_install nodejs npm
if ! [[ -d "${out}/node_modules/playwright-core" && -f "${stamp}" && "$(cat "${stamp}")" == "${key}" ]]; then
	scratch="$(mktemp -d "${tools}/browser.build.XXXXXX")"
	trap 'rm -rf "${scratch}"' EXIT
	cp "${here}"/browser/{package.json,package-lock.json} "${scratch}/"
	(cd "${scratch}" && run_logged "${scratch}/npm-ci.log" npm ci --ignore-scripts --no-audit --no-fund)
	rm -rf "${out}"
	mkdir -p "${out}"
	mv "${scratch}/node_modules" "${out}/"
	echo "${key}" >"${stamp}"
fi

check="$(mktemp -d)"
trap 'rm -rf "${check}"' EXIT
cat >"${check}/check.cjs" <<'JS'
const { chromium } = require(process.argv[2]);
(async () => {
  const browser = await chromium.launch({ executablePath: process.argv[3], args: ["--no-sandbox"] });
  const page = await browser.newPage();
  await page.setContent("<p id=x>static</p><script>document.getElementById('x').textContent = 'ran'</script>");
  console.log(await page.textContent("#x"));
  await browser.close();
})().catch((error) => { console.error(error); process.exit(1); });
JS
answer="$(node "${check}/check.cjs" "${out}/node_modules/playwright-core" /usr/bin/chromium 2>"${check}/err")" ||
	die "headless Chromium did not start: $(tail -n 5 "${check}/err")"
[[ "${answer}" == ran ]] || die "headless Chromium did not run a page's JavaScript (it said: ${answer})"
log "$(/usr/bin/chromium --version 2>/dev/null | head -n 1) with playwright-core $(node -p "require('${out}/node_modules/playwright-core/package.json').version"): it rendered a page and ran its JavaScript"
