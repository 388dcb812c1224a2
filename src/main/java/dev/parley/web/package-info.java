/**
 * Where errors are answered: a refused STOMP frame on {@code /user/queue/errors}, a refused REST
 * request as {@code application/problem+json}, an unknown {@code /app} destination; and the
 * parsing of JSON bodies that every frame handler shares.
 */
@NullMarked
package dev.parley.web;

import org.jspecify.annotations.NullMarked;
