#!/usr/bin/env python3
"""Writes N cross-node calls (REQUEST, ACCEPT, RESPONSE) as pipelined RESP PUBLISH commands for
`redis-cli --pipe` (docs/benchmarks.md, "Cluster view"). Usage: cluster_bus_load.py N > bus.resp"""
import sys
n=int(sys.argv[1])
out=sys.stdout.buffer
def cmd(*args):
    b=b'*%d\r\n' % len(args)
    for a in args:
        a=a.encode() if isinstance(a,str) else a
        b+=b'$%d\r\n%s\r\n' % (len(a), a)
    out.write(b)
cmd('PUBLISH','9','{"fromServer":"node-a","message":{"topic":9,"action":2,"serverName":"node-a","leaderScore":0.9,"role":"deepstream"}}')
cmd('PUBLISH','9','{"fromServer":"node-b","message":{"topic":9,"action":2,"serverName":"node-b","leaderScore":0.1,"role":"deepstream"}}')
for i in range(n):
    cid='c%d'%i
    cmd('PUBLISH','6','{"fromServer":"node-a","toServer":"node-b","message":{"topic":6,"names":[],"action":2,"data":"{\\"n\\":%d}","correlationId":"%s","name":"double-it"}}'%(i,cid))
    cmd('PUBLISH','6','{"fromServer":"node-b","toServer":"node-a","message":{"topic":6,"names":[],"action":4,"correlationId":"%s","name":"double-it"}}'%cid)
    cmd('PUBLISH','6','{"fromServer":"node-b","toServer":"node-a","message":{"topic":6,"names":[],"action":5,"data":"%d","correlationId":"%s","name":"double-it"}}'%(2*i,cid))
