package dev.parley.identity;

import tools.jackson.databind.JsonNode;

import dev.parley.core.Nickname;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class NicknameController {

    private final NicknameClaims claims;

    NicknameController(NicknameClaims claims) {
        this.claims = claims;
    }

    @PostMapping("/api/nicknames")
    @ResponseStatus(HttpStatus.CREATED)
    ClaimResponse claim(@RequestBody JsonNode body) {
        JsonNode nickname = body.get("nickname");
        NicknameClaims.Claim claim = this.claims.claim(
                new Nickname((nickname != null && nickname.isString()) ? nickname.stringValue() : null));
        return new ClaimResponse(claim.nickname().value(), claim.token());
    }

    record ClaimResponse(String nickname, String token) {
    }
}
