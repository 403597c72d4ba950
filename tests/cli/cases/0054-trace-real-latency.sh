mailtrail trace --logs tests/data/corpus "<1736846922.907742.2942@foo.bar.local>"; mailtrail trace --logs tests/data/corpus "1736846922.907742.2942@foo.bar.local" --format json
