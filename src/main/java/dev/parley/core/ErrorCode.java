package dev.parley.core;

/** The error codes of contract sections 6 and 10, sent on {@code /user/queue/errors}. */
public enum ErrorCode {
    INVALID_ROOM, INVALID_MESSAGE, NOT_JOINED, RATE_LIMITED, BAD_REQUEST,
    /** A join beyond the rooms one connection may be in (contract section 6a). */
    LIMIT_EXCEEDED,
    /** A direct message or typing to a valid nickname that nobody claimed (contract section 10). */
    UNKNOWN_USER,
    /** Not in the contract's list: the server failed (say the database), nothing was stored. */
    INTERNAL_ERROR
}
