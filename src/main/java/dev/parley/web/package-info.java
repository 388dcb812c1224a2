/**
 * Where errors are answered: a refused STOMP frame on {@code /user/queue/errors}, a refused REST
 * request as {@code application/problem+json}; plus the error codes and the shared JSON helpers.
 */
@NullMarked
package dev.parley.web;

import org.jspecify.annotations.NullMarked;
