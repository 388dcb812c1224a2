package dev.parley.identity;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.parley.core.ChatUser;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Who a REST request for private data speaks for: the holder of the claim's token sent as
 * {@code Authorization: Bearer <token>} (contract section 10). The token is looked up by its
 * hash alone, so the answer to a wrong or missing token neither needs nor reveals a nickname.
 * <p>
 * A REST handler declares a {@link BearerPrincipal} {@link ChatUser} parameter, first, to be called only for a valid
 * token: arguments are resolved in order, so nothing else of the request (a path, a query
 * parameter that is no number) is looked at before the token is.
 */
@Component
public class BearerAuthentication implements HandlerMethodArgumentResolver, WebMvcConfigurer {

    private static final String SCHEME = "bearer ";

    /** What a claim hands out (contract section 2), with room to spare; anything else is no token of ours. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43,512}");

    private final NicknameClaims claims;

    BearerAuthentication(NicknameClaims claims) {
        this.claims = claims;
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == ChatUser.class && parameter.hasParameterAnnotation(BearerPrincipal.class);
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, @Nullable ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest, @Nullable WebDataBinderFactory binderFactory) {
        return authenticate(webRequest.getHeader(HttpHeaders.AUTHORIZATION));
    }

    /**
     * The principal of a request with this {@code Authorization} header.
     *
     * @throws NotAuthenticatedException when the header is missing, not a Bearer token, or no
     * claim's token
     */
    public ChatUser authenticate(@Nullable String authorization) {
        if (authorization == null) {
            throw new NotAuthenticatedException(false, "send the nickname's token as Authorization: Bearer <token>");
        }
        if (authorization.length() <= SCHEME.length()
                || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            throw new NotAuthenticatedException(false, "send the nickname's token as Authorization: Bearer <token>");
        }
        String token = authorization.substring(SCHEME.length()).strip();
        if (!TOKEN.matcher(token).matches()) {
            throw new NotAuthenticatedException(true, "the token is not valid");
        }
        return this.claims.holderOf(token)
            .map(ChatUser::new)
            .orElseThrow(() -> new NotAuthenticatedException(true, "the token is not valid"));
    }

    /** A request for private data without a valid token: {@code 401} with {@code WWW-Authenticate: Bearer}. */
    public static class NotAuthenticatedException extends RuntimeException {

        private final boolean tokenSent;

        NotAuthenticatedException(boolean tokenSent, String message) {
            super(message, null, false, false);
            this.tokenSent = tokenSent;
        }

        /** The {@code WWW-Authenticate} challenge (RFC 6750): {@code invalid_token} when a token was sent. */
        public String challenge() {
            return this.tokenSent ? "Bearer error=\"invalid_token\"" : "Bearer";
        }
    }
}
