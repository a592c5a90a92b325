/**
 * Bring your own key: users' own Anthropic keys, kept in one of three modes ({@link dev.keywarden.byok.ByokMode}) and
 * used for their calls instead of the operator's provider keys ({@link dev.keywarden.byok.ByokService} is the
 * pipeline's {@link dev.keywarden.pipeline.CallerKeys}). The key itself leaves only in the {@code x-api-key} header of
 * the upstream calls it serves; everything else sees its fingerprint. docs/byok.md.
 */
package dev.keywarden.byok;
