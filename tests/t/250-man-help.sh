#!/bin/bash
# Man pages, --help and the bash completion agree: every option of each
# command's --help is in its page's OPTIONS and completed, and every option
# of a page is in --help (tests/lib/man_help.py); every page renders with
# scdoc and man without warnings; `make install PREFIX=...` puts the pages
# where `MANPATH=PREFIX/share/man man rstscope-analyze` finds them and the
# completion where bash-completion looks, and the installed completion
# completes commands, options and files. (-o all: the binary under test is
# installed as it is, never rebuilt with other flags.)
set -u
command -v scdoc >/dev/null || { echo "scdoc is not installed (scripts/deps.sh installs it)"; exit 77; }
command -v man >/dev/null || { echo "man is not installed (apt install man-db)"; exit 77; }
tmp=$(mktemp -d /tmp/rstscope-man.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
export MANPAGER=cat MANWIDTH=100

# the commands, from rstscope --help
cmds=$("$RSTSCOPE" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 && $1 != "commands:" { print $1 }')
[ "$(echo $cmds | wc -w)" -ge 8 ] || bad "only '$cmds' in rstscope --help"
mkdir -p "$tmp/help" "$tmp/comp"
for c in $cmds; do
	"$RSTSCOPE" "$c" --help >"$tmp/help/$c" 2>&1 || bad "$c --help: exit $?"
	bash -c 'source "$1"; COMP_WORDS=(rstscope "$2" -); COMP_CWORD=2; _rstscope; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$ROOT/scripts/rstscope.bash-completion" "$c" >"$tmp/comp/$c"
done
# shellcheck disable=SC2086 # a list of commands
python3 "$ROOT/tests/lib/man_help.py" "$ROOT/docs/man" "$tmp/help" "$tmp/comp" $cmds || fail=1

# the checker tells an option the page lacks
mkdir -p "$tmp/man2"
cp "$ROOT"/docs/man/*.scd "$tmp/man2/"
sed -i '/^\*--horizon\*/d' "$tmp/man2/rstscope-analyze.1.scd"
python3 "$ROOT/tests/lib/man_help.py" "$tmp/man2" "$tmp/help" "$tmp/comp" analyze >/dev/null &&
	bad "the checker missed --horizon missing from the page"

# install into a temporary prefix, then read the pages with man
make -s -C "$ROOT" -o all O="$O" install PREFIX="$tmp/prefix" >"$tmp/install.log" 2>&1 ||
	{ bad "make install"; tail -5 "$tmp/install.log"; }
share="$tmp/prefix/share"
MANPATH="$share/man" man rstscope-analyze >"$tmp/analyze.txt" 2>"$tmp/man.err" || bad "man rstscope-analyze: exit $?"
grep -q -- '--write-pcapng' "$tmp/analyze.txt" && grep -q '^EXIT STATUS' "$tmp/analyze.txt" ||
	bad "man rstscope-analyze does not show the page: $(head -3 "$tmp/analyze.txt") $(cat "$tmp/man.err")"
for c in "" $cmds; do
	p=rstscope${c:+-$c}
	MANPATH="$share/man" man -w "$p" >/dev/null 2>&1 || bad "man -w $p: not installed"
	w=$(LC_ALL=C man --warnings -l "$share/man/man1/$p.1" 2>&1 >/dev/null)
	[ -z "$w" ] || bad "$p.1: groff warns: $w"
done
compl="$share/bash-completion/completions/rstscope"
[ -r "$compl" ] || bad "no completion at $compl"
got=$(cd "$tmp" && bash -c 'source "$1"; complete -p rstscope >/dev/null || exit 1
	COMP_WORDS=(rstscope an); COMP_CWORD=1; _rstscope; echo "${COMPREPLY[*]}"
	COMP_WORDS=(rstscope analyze --write-p); COMP_CWORD=2; _rstscope; echo "${COMPREPLY[*]}"
	COMP_WORDS=(rstscope analyze inst); COMP_CWORD=2; _rstscope; echo "${COMPREPLY[*]}"
	COMP_WORDS=(rstscope proxy --direction ""); COMP_CWORD=3; _rstscope; echo "${COMPREPLY[*]}"' _ "$compl")
[ "$got" = "$(printf 'analyze\n--write-pcapng\ninstall.log\nup down both')" ] || bad "completion gave: $got"
[ $fail = 0 ] && echo "pages, --help and completion agree; install and man work"
exit $fail
