#!/usr/bin/env bash
# ssdp.sh OUT.pcap CMDS_FILE [SEED] -- lab/iot.sh's IoT/camera LAN (session 18) with SSDP_LAN=1:
# 14 more UPnP devices (.101-.114, SSDP only), the SSDP ports that forged M-SEARCHes name open on
# their victims (the recorder .30 on 1900, the laptop .20 on 33333: answers are taken, no ICMP
# refusals) and a UPnP control point (phone .21). For the SSDP flood with the victim's port open
# and fuzzing (Kitsune, Mirsky et al., NDSS 2018). (session 19, helper h2) Everything else, the
# CMDS_FILE syntax and the environment (TMO, DUR, GAP, WARM, PPS, TAIL; $DEVS for the commands:
# the 18 devices' addresses) as iot.sh's header says.
SSDP_LAN=1 exec "$(cd "$(dirname "$0")" && pwd)/iot.sh" "$@"
