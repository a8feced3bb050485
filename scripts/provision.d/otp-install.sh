#!/bin/sh
# `Install` for the OTP tarballs of the local builds.hex.pm-shaped test mirror (scripts/provision.d/mirror.sh
# puts this file at OTP-<v>/Install). It does what OTP's own erts/etc/unix/Install.src does for a release tree,
# for Debian's /usr/lib/erlang tree with Debian's generated launchers removed:
#
#   Install [-cross] [-minimal|-sasl] <ABSOLUTE_ROOT>
#
# - renders erts-<vsn>/bin/{erl,start,start_erl} from their .src templates (%FINAL_ROOTDIR% -> root,
#   %VSN% -> ERTS version, %EMU% -> beam);
# - copies erl erlc erl_call dialyzer typer ct_run escript run_erl to_erl start start_erl into bin/ (those
#   that exist) and links bin/epmd;
# - writes releases/start_erl.data ("<erts vsn> <otp release>") and releases/RELEASES from RELEASES.src;
# - copies releases/<rel>/start_*.boot and no_dot_erlang.boot into bin/, and bin/start.boot + bin/start.script
#   from start_clean (-minimal) or start_sasl (-sasl; asked interactively when neither is given);
# - formats man pages when a man/ dir and misc/format_man_pages exist (never in these tarballs).
# With -cross the tree is the current directory and <ABSOLUTE_ROOT> is only where it will finally live.
# Plain POSIX sh + coreutils + sed: it runs on minimal Debian/Ubuntu run images.
set -e

usage="
Usage:
  Install [-cross] [-minimal|-sasl] <ERL_ROOT>
"
start_option=query
cross=
ERL_ROOT=
while [ $# -ne 0 ]; do
	case $1 in
	-minimal) start_option=minimal ;;
	-sasl) start_option=sasl ;;
	-cross) cross=yes ;;
	*) ERL_ROOT=$1 ;;
	esac
	shift
done

TARGET_ERL_ROOT="$ERL_ROOT"
if [ -n "$cross" ]; then
	ERL_ROOT=$(pwd)
fi

if [ -z "$ERL_ROOT" ] || [ ! -d "$ERL_ROOT" ]; then
	echo "Install: need <ERL_ROOT> directory as argument" >&2
	echo "$usage" >&2
	exit 1
fi

case "$TARGET_ERL_ROOT" in
/*) ;;
*)
	echo "Install: need an absolute path to <ERL_ROOT>" >&2
	echo "$usage" >&2
	exit 1
	;;
esac

# OTP's Install has the ERTS version and OTP release baked in at build time; this one reads them off the tree.
erts_dir=
for d in "$ERL_ROOT"/erts-*; do
	[ -d "$d/bin" ] || continue
	if [ -n "$erts_dir" ]; then
		echo "Install: more than one erts-* directory in $ERL_ROOT" >&2
		exit 1
	fi
	erts_dir=$d
done
if [ -z "$erts_dir" ]; then
	echo "Install: The directory $ERL_ROOT/erts-<vsn>/bin does not exist" >&2
	echo "         Bad location or erts module not un-tared" >&2
	echo "$usage" >&2
	exit 1
fi
ERTS_VSN=${erts_dir##*/erts-}

system_vsn=
for d in "$ERL_ROOT"/releases/*; do
	[ -f "$d/start_clean.boot" ] || continue
	if [ -n "$system_vsn" ]; then
		echo "Install: more than one OTP release in $ERL_ROOT/releases" >&2
		exit 1
	fi
	system_vsn=${d##*/}
done
if [ -z "$system_vsn" ]; then
	echo "Install: no releases/<otp release>/start_clean.boot in $ERL_ROOT" >&2
	exit 1
fi

# sed replacement text: escape the characters special there (and the ; delimiter).
root_sed=$(printf '%s\n' "$TARGET_ERL_ROOT" | sed -e 's/[\\;&]/\\&/g')

render() { # render <template> <output>
	sed -e "s;%FINAL_ROOTDIR%;$root_sed;g" \
		-e "s;%VSN%;$ERTS_VSN;g" \
		-e "s;%EMU%;beam;g" "$1" >"$2.tmp"
	chmod 755 "$2.tmp"
	mv -f "$2.tmp" "$2"
}

if [ ! -d "$ERL_ROOT/bin" ]; then
	mkdir "$ERL_ROOT/bin"
fi

cd "$erts_dir/bin"
render erl.src erl
# Start file for embedded system use.
if [ -f start.src ]; then
	render start.src start
fi
if [ -f start_erl.src ]; then
	render start_erl.src start_erl
fi

cd "$ERL_ROOT/bin"

for prog in erl erlc erl_call dialyzer typer ct_run escript run_erl to_erl start start_erl; do
	if [ -f "$erts_dir/bin/$prog" ]; then
		rm -f "$prog"
		cp -p "$erts_dir/bin/$prog" .
	fi
done

# A soft link to epmd (OTP: "This should not be done for an embedded system!"). Remove old links first.
if [ -h epmd ] || [ -e epmd ]; then
	rm -f epmd
fi
ln -s "../erts-$ERTS_VSN/bin/epmd" epmd
echo ""

echo "$ERTS_VSN $system_vsn" >"$ERL_ROOT/releases/start_erl.data"
sed -e "s;%ERL_ROOT%;$root_sed;g" "$ERL_ROOT/releases/RELEASES.src" >"$ERL_ROOT/releases/RELEASES"

if [ "$start_option" = "query" ]; then
	echo "Do you want to use a minimal system startup"
	printf '%s' "instead of the SASL startup? (y/n) [n]: "
	reply=
	read -r reply || true
	case $reply in
	[Yy]*) start_option=minimal ;;
	*) start_option=sasl ;;
	esac
fi

case $start_option in
minimal) Name=start_clean ;;
*) Name=start_sasl ;;
esac

cp -p "../releases/$system_vsn"/start_*.boot .
cp -p "../releases/$system_vsn/no_dot_erlang.boot" .
cp -p "$Name.boot" start.boot
cp -p "../releases/$system_vsn/$Name.script" start.script

# Fixing the man pages
if [ -d "$ERL_ROOT/man" ] && [ -x "$ERL_ROOT/misc/format_man_pages" ]; then
	cd "$ERL_ROOT"
	./misc/format_man_pages "$ERL_ROOT"
fi

exit 0
