#![deny(unsafe_code)]
//! Packet sources for Nightjar: pcap and pcapng files and live capture, decoded into compact packet records.
