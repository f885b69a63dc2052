import { defineErrors, errorFactory } from '#common/errors';

/**
 * Refusals of DIDComm envelopes (Aries RFC 0019) and DIDs (did:key, did:peer). An inbound
 * envelope that fails any check is refused with one of these codes, never with a crash.
 */
export const didcommErrors = defineErrors({
  envelope_malformed: { status: 400, title: 'The DIDComm envelope is not well-formed' },
  envelope_unsupported: { status: 400, title: 'The DIDComm envelope uses an unsupported algorithm' },
  envelope_recipient_unknown: { status: 400, title: 'The DIDComm envelope is not addressed to any of our keys' },
  envelope_decryption_failed: {
    status: 400,
    title: 'The DIDComm envelope could not be decrypted or was tampered with',
  },
  envelope_no_recipients: { status: 400, title: 'A DIDComm envelope needs at least one recipient key' },
  key_invalid: { status: 400, title: 'The key is not a valid Ed25519 key' },
  did_malformed: { status: 400, title: 'The DID is not well-formed' },
  did_unsupported: { status: 400, title: 'The DID method or variant is not supported' },
  message_malformed: { status: 400, title: 'The DIDComm message is not well-formed' },
  message_unsupported: { status: 400, title: 'The DIDComm message type is not supported' },
  invitation_url_malformed: {
    status: 422,
    title: 'The invitation URL does not carry a readable out-of-band or connection invitation',
  },
  invitation_unsupported: {
    status: 422,
    title: 'The invitation offers no handshake protocol or service Usher can use',
  },
  signature_invalid: { status: 400, title: 'A signed attachment or field does not verify' },
  thread_unknown: { status: 409, title: 'The message answers a thread this side does not have in that state' },
  request_not_accepted: { status: 409, title: 'The handshake request was refused' },
  connection_not_found: { status: 404, title: 'No such connection' },
  connection_not_ready: { status: 409, title: 'The connection has not completed its handshake' },
  peer_unreachable: { status: 502, title: 'The other agent has no usable DIDComm service' },
  mediator_not_found: { status: 404, title: 'No such mediator' },
  mediator_not_ready: { status: 409, title: 'The mediator has not granted mediation' },
  mediator_unreachable: { status: 502, title: 'The mediator did not answer the pickup' },
});

/** Builds a typed DIDComm refusal: `didcommError('envelope_malformed', 'detail')`. */
export const didcommError = errorFactory(didcommErrors);
