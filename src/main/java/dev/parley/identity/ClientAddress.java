package dev.parley.identity;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The address nickname claims are counted by: an IPv4 address as it is, an IPv6 address by its
 * first 64 bits, as one host usually holds a whole /64 and could otherwise claim from a fresh
 * address each time.
 */
final class ClientAddress {

    private ClientAddress() {
    }

    /** The key for {@code remoteAddress}, the request's peer (or trusted forwarded) address. */
    static String key(String remoteAddress) {
        if (remoteAddress.indexOf(':') < 0) {
            return remoteAddress;
        }
        try {
            // a literal: parsed, never looked up
            InetAddress address = InetAddress.getByName(remoteAddress);
            if (address instanceof Inet6Address) {
                byte[] bytes = address.getAddress();
                StringBuilder prefix = new StringBuilder();
                for (int i = 0; i < 8; i += 2) {
                    prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
                }
                return prefix.append(":/64").toString();
            }
            return address.getHostAddress();
        }
        catch (UnknownHostException ex) {
            return remoteAddress;
        }
    }
}
