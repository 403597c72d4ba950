mailtrail trace --logs tests/data/postfix-chain --subject CHAIN-IN; mailtrail trace --logs tests/data/postfix-chain --subject CHAIN-IN --format json
