"""Receiving the provinces' packets (issue 13, part 1): a national dxplan's side of the feed.

`packet` checks a packet against the plan and the organisation (pure), `codes` reads
the receiver's mapping file (each sender's own codes), `limiter` keeps each sender to
its rate, `service` stores what passes through the value store, with receipts. The
contract is the receiving half of docs/national-feed.md.
"""
