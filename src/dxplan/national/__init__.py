"""The feed to the national reporting information system (issue 10, part 2).

dxplan sends the plan's figures as a KPI catalogue packet and KPI data packets:
`packets` builds them (pure), `mapping` names their fields as the national system
does, `outbox` keeps them in the transactional store until the receiver answers,
`sender` posts them with retries and `delivery` runs the outbox (the CLI and the
background task of `dxplan serve`). The contract is in docs/national-feed.md.
"""
