mailtrail trace --logs smarthost=tests/data/postfix --syslog-year 2026 '<20261122072825.010447@vm>' '<20261122072825.010453@vm>' '<20261122072823.010385@vm>' '<20261122072825.010450@vm>'
