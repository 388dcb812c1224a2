package dev.parley.web;

import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;
import dev.parley.identity.BearerAuthentication.NotAuthenticatedException;
import dev.parley.identity.ClaimsLimitedException;
import dev.parley.identity.NicknameClaims.NicknameTakenException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * REST errors as {@code application/problem+json} (RFC 9457) with a {@code detail}. Spring's
 * own exceptions (unreadable body, a {@code limit} that is no number, unknown path) are mapped
 * by the base class.
 */
@RestControllerAdvice
class RestErrorHandler extends ResponseEntityExceptionHandler {

    @ExceptionHandler
    ProblemDetail invalid(ChatException ex) {
        // a nickname nobody claimed is missing, not malformed
        HttpStatus status = (ex.code() == ErrorCode.UNKNOWN_USER) ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST;
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, ex.getMessage());
        problem.setProperty("code", ex.code());
        return problem;
    }

    /** Private data without a valid token: {@code 401}, with the challenge RFC 6750 asks for. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> unauthenticated(NotAuthenticatedException ex) {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
            .header(HttpHeaders.WWW_AUTHENTICATE, ex.challenge())
            .body(ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, ex.getMessage()));
    }

    @ExceptionHandler
    ProblemDetail taken(NicknameTakenException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> claimsLimited(ClaimsLimitedException ex) {
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
            .header(HttpHeaders.RETRY_AFTER, Long.toString(ex.retryAfterSeconds()))
            .body(ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, ex.getMessage()));
    }
}
