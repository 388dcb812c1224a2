package dev.parley.delivery.broker;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.util.AntPathMatcher;
import org.springframework.util.PathMatcher;

/**
 * Spring's {@link AntPathMatcher} with {@code .} as the separator, remembering per pattern the
 * destinations it matched and the variables it took from them.
 * <p>
 * Spring's annotation handler tries every {@code @MessageMapping} pattern on the destination of
 * every SEND, and {@code AntPathMatcher} splits the destination and runs a regular expression for
 * {@code {room}} each time: about 8 % of the memory allocated per chat message in the burst
 * benchmark. A chat server sees the same few destinations again and again (one
 * {@code room.<name>.send} per room), so the answers are kept.
 * <p>
 * Destinations come from clients. Each pattern remembers at most {@link #MAX_REMEMBERED}
 * destinations and forgets them all when full, and at most {@link #MAX_PATTERNS} patterns are
 * remembered at all: a client that sends to ever new destinations costs no more memory than that,
 * only the speed-up. Answers are the delegate's; the variables are an unmodifiable map.
 */
public final class CachingPathMatcher implements PathMatcher {

    static final int MAX_REMEMBERED = 1024;

    static final int MAX_PATTERNS = 32;

    private final PathMatcher delegate;

    private final Map<String, Map<String, Boolean>> matches = new ConcurrentHashMap<>();

    private final Map<String, Map<String, Map<String, String>>> variables = new ConcurrentHashMap<>();

    public CachingPathMatcher() {
        this(new AntPathMatcher("."));
    }

    CachingPathMatcher(PathMatcher delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean match(String pattern, String path) {
        Map<String, Boolean> known = forPattern(this.matches, pattern);
        Boolean match = (known != null) ? known.get(path) : null;
        if (match == null) {
            match = this.delegate.match(pattern, path);
            remember(known, path, match);
        }
        return match;
    }

    @Override
    public Map<String, String> extractUriTemplateVariables(String pattern, String path) {
        Map<String, Map<String, String>> known = forPattern(this.variables, pattern);
        Map<String, String> extracted = (known != null) ? known.get(path) : null;
        if (extracted == null) {
            // throws, and nothing is remembered, where the pattern does not match
            extracted = Map.copyOf(this.delegate.extractUriTemplateVariables(pattern, path));
            remember(known, path, extracted);
        }
        return extracted;
    }

    /** How many destinations are remembered for this pattern's matches. */
    int rememberedFor(String pattern) {
        Map<String, Boolean> known = this.matches.get(pattern);
        return (known != null) ? known.size() : 0;
    }

    private static <V> Map<String, V> forPattern(Map<String, Map<String, V>> byPattern, String pattern) {
        Map<String, V> known = byPattern.get(pattern);
        if (known == null && byPattern.size() < MAX_PATTERNS) {
            known = byPattern.computeIfAbsent(pattern, (p) -> new ConcurrentHashMap<>());
        }
        return known;
    }

    private static <V> void remember(Map<String, V> known, String path, V value) {
        if (known == null) {
            return;
        }
        if (known.size() >= MAX_REMEMBERED) {
            known.clear();
        }
        known.put(path, value);
    }

    @Override
    public boolean isPattern(String path) {
        return this.delegate.isPattern(path);
    }

    @Override
    public boolean matchStart(String pattern, String path) {
        return this.delegate.matchStart(pattern, path);
    }

    @Override
    public String extractPathWithinPattern(String pattern, String path) {
        return this.delegate.extractPathWithinPattern(pattern, path);
    }

    @Override
    public Comparator<String> getPatternComparator(String path) {
        return this.delegate.getPatternComparator(path);
    }

    @Override
    public String combine(String pattern1, String pattern2) {
        return this.delegate.combine(pattern1, pattern2);
    }

}
