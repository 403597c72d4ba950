# session --compare over a 21-command pipeline: every RCPT gets its reply
# (a 16-slot queue left r15..r19 "(no reply)" and showed r19's 550 as an
# invented end step); the sessions part at r19.
# SYNTHETIC: tests/data/smtp-edges/README.md.
mailtrail session 08DC39A0000000D2 --compare 08DC39A0000000D1 --logs tests/data/smtp-edges/pipeline-20-rcpts
