#!/bin/sh
# man.t - dockev(8) against the agent it documents: mandoc -Tlint finds
# nothing at warning level, every option `dockev --help` prints (parsed
# from the built binary, so this follows agent/main.c as it changes) is an
# item of the man page's option list, every environment variable the help
# names is in ENVIRONMENT, and man(1) renders it.
# Environment: BUILD, a build holding dockev; MAN (default tools/man/dockev.8).
# shellcheck source-path=SCRIPTDIR/../..
. tests/integration/lib.sh
MAN=${MAN:-tools/man/dockev.8}

mandoc -Tlint -Wwarning "$MAN" >"$T/lint" 2>&1
ok $? "mandoc -Tlint -Wwarning: exit 0"
is "$(cat "$T/lint")" "" "mandoc -Tlint -Wwarning: no message"

"$DOCKEV" --help >"$T/help" 2>&1
ok $? "dockev --help exits 0"
# The option column: lines that start with "  -X, --long" or "      --long".
sed -n 's/^  \(-[A-Za-z]\)\{0,1\}\(, \)\{0,1\} *\(--[a-z][a-z0-9-]*\).*/\1 \3/p' "$T/help" |
	tr ' ' '\n' | sed '/^$/d' >"$T/opts"
echo "# options in --help: $(tr '\n' ' ' <"$T/opts")"
[ "$(grep -c -- '^--' "$T/opts")" -ge 20 ]
ok $? "at least 20 long options found in --help (the parse still works)"
# Each is an item of the list: ".It Fl H Ar url , Fl \-host Ar url".
grep '^\.It Fl ' "$MAN" | sed 's/\\-/-/g' >"$T/items"
while IFS= read -r o; do
	case "$o" in
	--*) f="Fl -${o#--}" ;;
	*) f="Fl ${o#-}" ;;
	esac
	grep -q -- "$f\( \|\$\)" "$T/items"
	ok $? "man page documents $o (.It $f)"
done <"$T/opts"

# Environment variables the help names are in ENVIRONMENT.
sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh /p' "$MAN" | sed -n 's/^\.It Ev \([A-Z_]*\).*/\1/p' >"$T/env"
for v in $(grep -o '\$[A-Z][A-Z_]*' "$T/help" | tr -d '$' | sort -u); do
	grep -qx "$v" "$T/env"
	ok $? "ENVIRONMENT names $v"
done
for s in NAME SYNOPSIS DESCRIPTION HOOKS SIGNALS ENVIRONMENT FILES "EXIT STATUS"; do
	grep -q "^\.Sh $s\$" "$MAN"
	ok $? "section $s"
done

MANWIDTH=80 man -l "$MAN" >"$T/out" 2>"$T/err"
ok $? "man -l renders it"
grep -q 'SIGUSR1' "$T/out"
ok $? "the rendered page has its text"
done_testing
