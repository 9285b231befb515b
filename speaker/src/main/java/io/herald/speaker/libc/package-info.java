/**
 * What the speaker process asks of the C library for itself: its threads' scheduling and its native
 * heap. Apart from {@code host} (the node's network: addresses, netlink, nftables) so that the packet
 * adapters in {@code layer2.pcap} can use it without {@code host} and {@code layer2} depending on
 * each other.
 */
package io.herald.speaker.libc;
