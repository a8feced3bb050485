"""Turns the phx.new 1.7.24 app's LiveView 1.0 templates into LiveView 0.20's: body interpolation
`{expr}` becomes `<%= expr %>` (attributes keep `{...}`), `used_input?/1` goes, `live_title`'s default
moves into its body."""
import pathlib, re, sys

def convert_heex(text):
    out, i, n, in_tag, quote = [], 0, len(text), False, None
    while i < n:
        c = text[i]
        if in_tag:
            if quote:
                if c == quote: quote = None
                out.append(c); i += 1; continue
            if c in '"\'': quote = c; out.append(c); i += 1; continue
            if c == '{':
                j = match_brace(text, i); out.append(text[i:j + 1]); i = j + 1; continue
            if c == '>': in_tag = False
            out.append(c); i += 1; continue
        if text.startswith('<%', i):
            j = text.index('%>', i) + 2; out.append(text[i:j]); i = j; continue
        if text.startswith('<!--', i):
            j = text.index('-->', i) + 3; out.append(text[i:j]); i = j; continue
        if c == '<' and i + 1 < n and (text[i + 1].isalpha() or text[i + 1] in './:'):
            in_tag = True; out.append(c); i += 1; continue
        if c == '{':
            j = match_brace(text, i)
            out.append('<%= ' + text[i + 1:j].strip() + ' %>'); i = j + 1; continue
        out.append(c); i += 1
    return ''.join(out)

def match_brace(text, i):
    depth, quote, j = 0, None, i
    while j < len(text):
        c = text[j]
        if quote:
            if c == '\\': j += 2; continue
            if c == quote: quote = None
        elif c == '"': quote = c
        elif c == '{': depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0: return j
        j += 1
    raise ValueError('unbalanced brace at %d' % i)

def convert_ex(text):
    return re.sub(r'(~H""")(.*?)(""")', lambda m: m.group(1) + convert_heex(m.group(2)) + m.group(3), text, flags=re.S)

root = pathlib.Path(sys.argv[1])
for path in list(root.glob('lib/**/*.heex')) + list(root.glob('lib/**/*.ex')):
    text = path.read_text()
    new = convert_heex(text) if path.suffix == '.heex' else convert_ex(text)
    new = new.replace('errors = if Phoenix.Component.used_input?(field), do: field.errors, else: []',
                      'errors = field.errors')
    new = re.sub(r'<\.live_title default="([^"]*)"([^>]*)>\s*<%= assigns\[:page_title\] %>\s*</\.live_title>',
                 r'<.live_title\2><%= assigns[:page_title] || "\1" %></.live_title>', new)
    if new != text:
        path.write_text(new)
mix = root / 'mix.exs'
mix.write_text(mix.read_text().replace('{:phoenix_live_view, "~> 1.0.0"}', '{:phoenix_live_view, "~> 0.20.17"}'))
# The lock as `mix deps.get` leaves it against the local Hex repository (its checksums: the tarball's
# CHECKSUM file, and the tarball's SHA-256).
LV_0_20_17 = (
    '  "phoenix_live_view": {:hex, :phoenix_live_view, "0.20.17", '
    '"3e3f74c1a983b3b7da0a4d0d7d0c31fb546b2a332c5ba5794d501adf96c70340", [:mix], ['
    '{:floki, "~> 0.36", [hex: :floki, repo: "hexpm", optional: true]}, '
    '{:jason, "~> 1.0", [hex: :jason, repo: "hexpm", optional: true]}, '
    '{:phoenix, "~> 1.6.15 or ~> 1.7.0", [hex: :phoenix, repo: "hexpm", optional: false]}, '
    '{:phoenix_html, "~> 3.3 or ~> 4.0 or ~> 4.1", [hex: :phoenix_html, repo: "hexpm", optional: false]}, '
    '{:phoenix_template, "~> 1.0", [hex: :phoenix_template, repo: "hexpm", optional: false]}, '
    '{:phoenix_view, "~> 2.0", [hex: :phoenix_view, repo: "hexpm", optional: true]}, '
    '{:plug, "~> 1.15", [hex: :plug, repo: "hexpm", optional: false]}, '
    '{:telemetry, "~> 0.4.2 or ~> 1.0", [hex: :telemetry, repo: "hexpm", optional: false]}], '
    '"hexpm", "800bccd6a19485fffed0638f6677c2970eeea98b20689d77088cda3366dddcb5"},'
)
lock = root / 'mix.lock'
lines = [LV_0_20_17 if line.startswith('  "phoenix_live_view":') else line for line in lock.read_text().split('\n')]
lock.write_text('\n'.join(lines))
