#!/usr/bin/env python3
# SYNTHETIC: writes SRV/MSGTRK*.LOG (see README.md). Deterministic: run from this folder.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from msgtrk_fixture import write, ev  # noqa: E402
subjects = ["ȘEDINȚĂ CONSILIU",     # Romanian: Ș Ț, Latin Extended-B
            "Ǆ test",               # Ǆ, Latin Extended-B, with a title-case ǅ
            "ẢNH CHỤP HÔM NAY",     # Vietnamese: Latin Extended Additional
            "Ɓ Ƈ Ɗ",                # Hausa hooked letters, Latin Extended-B
            "STRASSE ẞ",            # capital sharp s, three bytes, folds to ß
            "ԚԜ ДОКУМЕНТ"]          # Cyrillic Supplement and Cyrillic
write('SRV/MSGTRK20160901-1.LOG', [
    ev("2016-09-01T00:0%d:00.000Z" % i, "RECEIVE", "SMTP", i + 1, "<s%d@corp.lan>" % i, "a@corp.lan",
       sender_address='s@example.com', return_path='s@example.com', message_subject=s)
    for i, s in enumerate(subjects)])
