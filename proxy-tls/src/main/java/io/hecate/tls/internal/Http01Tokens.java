package io.hecate.tls.internal;

import io.hecate.core.tls.HttpChallengeResponder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The HTTP-01 challenges being validated: token to key authorization, answered from memory. */
public final class Http01Tokens implements HttpChallengeResponder {

    private final Map<String, String> pending = new ConcurrentHashMap<>();

    public void add(String token, String keyAuthorization) {
        pending.put(token, keyAuthorization);
    }

    public void remove(String token) {
        pending.remove(token);
    }

    @Override
    public String keyAuthorization(String host, String token) {
        return pending.get(token);
    }
}
