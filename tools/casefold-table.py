#!/usr/bin/env python3
# casefold-table.py [CaseFolding.txt] -- print the table of lib/core/slice.c's
# fold_letter: Unicode simple case folding (CaseFolding.txt status C and S,
# not the full F nor the Turkic T) of the Latin, Greek and Cyrillic blocks
# below, plus every letter elsewhere that folds into them (Ⱥ U+023A folds to
# U+2C65, Ɐ U+2C6F to ɐ U+0250). Without a file, the mapping comes from the
# running Python's Unicode data: str.casefold() where it gives one code
# point, else str.lower() where that does (the S line of a letter with an F
# line), and the two Unicode 16.0 pairs of these blocks a Python older than
# that lacks. A fold into ASCII from outside it (ſ U+017F to s, the Kelvin
# sign U+212A to k) is left out: an ASCII needle is then matched by ASCII
# bytes alone, which keeps the common case a byte compare and lets search's
# prefilter look for a subject's ASCII run.
import sys

BLOCKS = [(0x0080, 0x024F),   # Latin-1 Supplement, Latin Extended-A and -B
          (0x0250, 0x02AF),   # IPA Extensions
          (0x0370, 0x03FF),   # Greek and Coptic
          (0x0400, 0x052F),   # Cyrillic, Cyrillic Supplement
          (0x1E00, 0x1EFF),   # Latin Extended Additional
          (0x1F00, 0x1FFF)]   # Greek Extended
UNICODE16 = {0xA7CB: 0x0264, 0xA7DC: 0x019B}


def in_blocks(c):
    return any(lo <= c <= hi for lo, hi in BLOCKS)


def from_file(path):
    m = {}
    for line in open(path, encoding='utf-8'):
        f = [x.strip() for x in line.split('#')[0].split(';')]
        if len(f) >= 3 and f[1] in ('C', 'S'):
            m[int(f[0], 16)] = int(f[2], 16)
    return m


def from_python():
    m = {}
    for c in range(0x110000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        s = chr(c).casefold()
        if len(s) != 1:
            s = chr(c).lower()
        if len(s) == 1 and ord(s) != c:
            m[c] = ord(s)
    for c, f in UNICODE16.items():
        m.setdefault(c, f)
    return m


def main():
    m = from_file(sys.argv[1]) if len(sys.argv) > 1 else from_python()
    pairs = sorted((c, f) for c, f in m.items()
                   if c >= 0x80 and f >= 0x80 and c <= 0xFFFF and (in_blocks(c) or in_blocks(f)))
    runs = []   # [lo, hi, step, delta]
    for c, f in pairs:
        d = f - c
        r = runs[-1] if runs else None
        if r and r[3] == d and ((r[0] == r[1] and c - r[1] in (1, 2)) or c - r[1] == r[2]):
            if r[0] == r[1]:
                r[2] = c - r[1]
            r[1] = c
        else:
            runs.append([c, c, 1, d])
    for lo, hi, step, d in runs:
        print('    { 0x%04X, 0x%04X, %d, %d },' % (lo, hi, step, d))
    print('/* %d folds in %d runs */' % (len(pairs), len(runs)), file=sys.stderr)


main()
