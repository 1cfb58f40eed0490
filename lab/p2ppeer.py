#!/usr/bin/python3
"""One BitTorrent peer of the lab's swarm (lab/p2p.sh), run inside its own network namespace.

    p2ppeer.py --ip 198.18.0.101 --port 51413 --dir DIR --torrents a.torrent,b.torrent
               [--magnet HASH] [--seed] [--life S] [--dht-nodes ip:port,...] [--rate KB/s]

A libtorrent session bound to the peer's address, with the mainline DHT on (bootstrapped from
the lab's other peers only: the public bootstrap routers are replaced, and nothing can leave the
lab anyway), peer exchange on, local service discovery, UPnP and NAT-PMP off (they would only
send multicast the lab has no use for). `--seed` peers have the files already (DIR holds them),
the others download them; `--magnet` adds a torrent by info-hash only (no tracker), so its peers
come from the DHT and peer exchange. The session lasts `--life` seconds, then the process exits
without a goodbye (as when a laptop closes): the other peers go on trying it and get RSTs.
"""
import argparse
import os
import sys
import time
import warnings

import libtorrent as lt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ip", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--torrents", default="")
    ap.add_argument("--magnet", default="")
    ap.add_argument("--seed", action="store_true")
    ap.add_argument("--life", type=float, default=120)
    ap.add_argument("--dht-nodes", default="")
    ap.add_argument("--rate", type=int, default=300, help="upload and download limit, KB/s")
    a = ap.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)
    s = lt.session({
        "listen_interfaces": f"{a.ip}:{a.port}",
        "outgoing_interfaces": a.ip,
        "enable_dht": True,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": a.dht_nodes,
        # every lab peer is in one /24: without these, libtorrent keeps one DHT node per /24
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_extended_routing_table": True,
        "allow_multiple_connections_per_ip": True,
        "upload_rate_limit": a.rate * 1024,
        "download_rate_limit": a.rate * 1024,
        "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
        "user_agent": "nightjar-lab",
    })
    for n in filter(None, a.dht_nodes.split(",")):
        host, port = n.rsplit(":", 1)
        s.add_dht_node((host, int(port)))
    handles = []
    for t in filter(None, a.torrents.split(",")):
        p = lt.add_torrent_params()
        try:
            p.ti = lt.torrent_info(t)
        except RuntimeError as e:
            sys.exit(f"{a.ip}: {t}: {e}")
        p.save_path = a.dir
        if a.seed:
            p.flags |= lt.torrent_flags.seed_mode
        handles.append(s.add_torrent(p))
    if a.magnet:
        p = lt.parse_magnet_uri("magnet:?xt=urn:btih:" + a.magnet)
        p.save_path = a.dir
        handles.append(s.add_torrent(p))
    end = time.time() + a.life
    last = 0
    while time.time() < end:
        time.sleep(1)
        for al in s.pop_alerts():
            pass
        if time.time() - last > 20:
            last = time.time()
            st = [h.status() for h in handles]
            print(f"{a.ip} " + " ".join(f"{x.name[:8] or '?'}:{x.progress*100:.0f}%/{x.num_peers}p" for x in st)
                  + f" dht={s.status().dht_nodes}", file=sys.stderr, flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
