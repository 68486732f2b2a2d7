/**
 * Who is at the other end of a helper connection: the kernel's record (core/net/peer-cred.ts), read once
 * per connection (it cannot change for its life) and applied to every request on it. A connection whose
 * peer cannot be read is closed: the helper never guesses who is asking.
 */
export { peerCredOf as peerOf, type PeerCred as Peer } from '../core/net/peer-cred.js';
