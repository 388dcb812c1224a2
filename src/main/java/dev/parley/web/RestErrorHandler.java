package dev.parley.web;

import dev.parley.core.ChatException;
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
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
        problem.setProperty("code", ex.code());
        return problem;
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
