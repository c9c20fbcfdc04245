"""The two timers of one plan: the event-driven engine (``event``) and the closed-form
estimate (``estimate``). Both consume cimsim.plan and count through ``accounting``."""
