"""Pure rules of the scheduler: campaigns, flows, enrollment transitions. No I/O."""
