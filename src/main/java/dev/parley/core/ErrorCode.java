package dev.parley.core;

/** The error codes of contract section 6, sent on {@code /user/queue/errors}. */
public enum ErrorCode {
    INVALID_ROOM, INVALID_MESSAGE, NOT_JOINED, RATE_LIMITED, BAD_REQUEST,
    /** A join beyond the rooms one connection may be in (contract section 6a). */
    LIMIT_EXCEEDED,
    /** Not in the contract's list: the server failed (say the database), nothing was stored. */
    INTERNAL_ERROR
}
