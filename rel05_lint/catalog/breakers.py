"""Circuit-breaker libraries (checked against pybreaker 1.4, aiobreaker 1.2, circuitbreaker 2.1).

circuitbreaker has a built-in fallback (``fallback_function=``); pybreaker and
aiobreaker have none, so the caller must catch the open-circuit error.
"""

from __future__ import annotations

from rel05_lint.core.args import ArgSpec

# circuitbreaker: circuit(failure_threshold, recovery_timeout, expected_exception,
# name, fallback_function, cls) and CircuitBreaker.__init__ with the same first five.
CIRCUIT_DECORATORS = frozenset({"circuitbreaker.circuit"})
CIRCUIT_CLASSES = frozenset({"circuitbreaker.CircuitBreaker"})
FALLBACK = ArgSpec("fallback_function", 4)
CIRCUIT_CLS = ArgSpec("cls", 5)
FALLBACK_ATTRIBUTE = "FALLBACK_FUNCTION"  # class attribute a CircuitBreaker subclass may set

# Breakers without a fallback: constructor -> library (a key of catalog/errors.FAILURES).
BREAKERS: dict[str, str] = {
    "pybreaker.CircuitBreaker": "pybreaker",
    "aiobreaker.CircuitBreaker": "aiobreaker",
    "aiobreaker.circuitbreaker.CircuitBreaker": "aiobreaker",
}
# Methods that run a function through the breaker (raise the open-circuit error).
# ``calling()`` is pybreaker's context manager; aiobreaker has no such method.
GUARDED_METHODS = frozenset({"call", "call_async", "calling"})
OPEN_ERROR = {
    "pybreaker": "pybreaker.CircuitBreakerError",
    "aiobreaker": "aiobreaker.CircuitBreakerError",
}
