#!/usr/bin/env python3
# SYNTHETIC: writes NY1/MSGTRK*.LOG (see README.md). Deterministic: run from this folder.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from msgtrk_fixture import write, ev  # noqa: E402
c=dict(sender_address='s@ext.example',return_path='s@ext.example',client_hostname='ext.example')
def day(name, times, first):
    write('NY1/MSGTRK%s-1.LOG' % name, [
        ev(t,'RECEIVE','SMTP',str(first+i),'<m%d@ext.example>' % (first+i),'a@corp.lan','',
           message_subject='S%d' % (first+i), **c)
        for i, t in enumerate(times)])
# America/New_York: clocks back 2016-11-06 06:00Z (02:00 EDT -> 01:00 EST)
day('20161106', ['2016-11-06T04:59:59.999Z','2016-11-06T05:00:00.000Z','2016-11-06T05:30:00.000Z',
                 '2016-11-06T06:00:00.000Z','2016-11-06T06:30:00.000Z','2016-11-06T07:00:00.000Z'], 1)
# clocks forward 2016-03-13 07:00Z (02:00 EST -> 03:00 EDT)
day('20160313', ['2016-03-13T06:30:00.000Z','2016-03-13T07:00:00.000Z','2016-03-13T07:15:00.000Z',
                 '2016-03-13T07:30:00.000Z','2016-03-13T08:00:00.000Z'], 11)
