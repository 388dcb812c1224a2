package dev.parley.identity;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a REST handler's {@code ChatUser} parameter: the holder of the request's Bearer token
 * ({@link BearerAuthentication}). Without it Spring MVC would pass the servlet's principal, which
 * Parley never sets.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface BearerPrincipal {
}
