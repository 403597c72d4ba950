# -WhatIf (a parameter of the cmdlet, exchange-logs.md 1.9) and --what-if:
# the logs are read, nothing is written, each file that would be written is
# named, and the exit code is a normal run's. It was "unknown option" (2).
T=$(mktemp -d)
f=tests/data/iis/known/EX1/u_ex240304.log
{
mailtrail Export-ActiveSyncLog -Filename $f -OutputPath "$T" -OutputPrefix x- -WhatIf 2>/dev/null; echo "exit $?"
mailtrail activesync --what-if --use-gmt --output-path "$T" --start-date 2030-01-01 $f 2>/dev/null; echo "none found: exit $?"
mailtrail activesync --what-if --output-path "$T" $f tests/data/postfix/postfix.log 2>/dev/null; echo "an unreadable input: exit $?"
} | sed "s|$T|OUT|"
echo "files written: $(ls "$T" | wc -l)"
mailtrail Export-ActiveSyncLog -Filename $f -OutputPath "$T" -WhatIf:\$false 2>/dev/null; echo "-WhatIf:\$false: exit $?"
ls "$T"
mailtrail activesync --help | grep -i what-if
rm -rf "$T"
