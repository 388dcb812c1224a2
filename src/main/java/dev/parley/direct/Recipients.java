package dev.parley.direct;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.parley.core.ChatException;
import dev.parley.core.ChatUser;
import dev.parley.core.ErrorCode;
import dev.parley.core.Nickname;
import dev.parley.identity.NicknameClaims;

import org.springframework.stereotype.Component;

/**
 * The other party that a destination or a path names: a valid nickname, not the principal's own,
 * and claimed, spelled as first claimed. Claims are never given up, so the ones found are
 * remembered (a bounded number, the most recently used) and a conversation's messages do not each
 * read the nickname table; one nobody claimed is asked again each time, since it may be claimed
 * meanwhile.
 */
@Component
class Recipients {

    private static final int REMEMBERED = 10_000;

    private final NicknameClaims claims;

    private final Map<Nickname, Nickname> claimed = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Nickname, Nickname> eldest) {
            return size() > REMEMBERED;
        }
    };

    Recipients(NicknameClaims claims) {
        this.claims = claims;
    }

    /**
     * The nickname a destination or path names, which must be valid and someone else's.
     *
     * @throws ChatException {@code BAD_REQUEST} otherwise
     */
    Nickname named(String nickname, ChatUser principal) {
        Nickname named = new Nickname(nickname);
        if (named.equals(principal.nickname())) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "a conversation is with someone else");
        }
        return named;
    }

    /**
     * The nickname as it was first claimed.
     *
     * @throws ChatException {@code UNKNOWN_USER} when nobody claimed it
     */
    Nickname claimed(Nickname nickname) {
        synchronized (this.claimed) {
            Nickname known = this.claimed.get(nickname);
            if (known != null) {
                return known;
            }
        }
        Nickname found = this.claims.find(nickname)
            .orElseThrow(() -> new ChatException(ErrorCode.UNKNOWN_USER, "nobody has claimed '" + nickname + "'"));
        synchronized (this.claimed) {
            this.claimed.put(found, found);
        }
        return found;
    }
}
