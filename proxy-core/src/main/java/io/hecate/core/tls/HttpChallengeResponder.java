package io.hecate.core.tls;

/**
 * Answers ACME HTTP-01 challenges (RFC 8555 §8.3) on Hecate's listeners: a {@code GET} or
 * {@code HEAD} for {@code /.well-known/acme-challenge/TOKEN} is offered to the responder before
 * any route is looked up. proxy-tls implements it while it orders certificates.
 *
 * <p>Called on the event loop for every such request: it must answer from memory, never block.
 */
@FunctionalInterface
public interface HttpChallengeResponder {

    /** The path prefix of HTTP-01 challenges. */
    String PATH_PREFIX = "/.well-known/acme-challenge/";

    /**
     * @param host  the request's host in lower case, without port, or {@code null} when it named none
     * @param token the last path segment (the challenge token)
     * @return the key authorization to answer with (200, {@code text/plain}), or {@code null} when
     *         the token is not one of ours: the request is then routed as usual (an application
     *         behind Hecate may run its own ACME client)
     */
    String keyAuthorization(String host, String token);
}
