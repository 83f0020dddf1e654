// SPDX-License-Identifier: MIT
/*
 * xenpv-netfront.ko: the portable netfront as a Linux net_device.  A
 * xenbus driver for "vif" (the in-tree xen-netfront must not be loaded
 * beside it); per queue one NAPI context that drains the rx ring through
 * xpv_netfront_rx_poll; offloads and MTU follow what each connection
 * agreed.  The kernel's xenbus watches the backend's state for us and
 * calls otherend_changed from its xenwatch thread; a mutex serialises
 * that with start, deferred work and close, as netfront.h asks.
 */
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "drivers/netfront/netfront.h"
#include "drivers/netfront/netfront_check.h"

/* Frames up to this size are copied whole into the skb's head. */
#define NFL_RX_LINEAR 1600u
/* Bigger ones: the headers in the head, the rest in page fragments. */
#define NFL_RX_PULL 256u
#define NFL_TSO_MAX (XPV_NETFRONT_MAX_TX_FRAME - XPV_NETFRONT_ETH_HLEN)

static unsigned int max_queues;
module_param(max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues, "queues per vif (0: one per CPU, at most 8)");

struct nfl_queue {
	struct napi_struct napi;
	/* Filled by ops->rx under the core's rx lock, drained by NAPI. */
	struct sk_buff_head rxq;
};

struct nfl {
	struct xpv_netfront nf;
	struct net_device *ndev;
	struct xenbus_device *xdev;
	struct mutex lock;	/* start, otherend_changed, work, close */
	struct work_struct work;	/* ops->kick */
	struct work_struct link_work;	/* MTU, features, queues: rtnl */
	bool closing;		/* under lock: no more work or link updates */
	bool inited;
	bool agreed;		/* a connection has set tx_features */
	u32 tx_features;	/* of the current connection, 0 when down */
	atomic64_t rx_nomem;
	struct nfl_queue q[XPV_NETFRONT_MAX_QUEUES];
};

/* ---- rx ------------------------------------------------------------------ */

static void nfl_copy_out(const struct xpv_netfront_pkt *p, size_t *fi,
			 size_t *foff, u8 *dst, size_t n)
{
	while (n && *fi < p->nr_frags) {
		const struct xpv_netfront_frag *f = &p->frags[*fi];
		size_t c = min_t(size_t, f->len - *foff, n);

		memcpy(dst, (const u8 *)f->data + *foff, c);
		dst += c;
		n -= c;
		*foff += c;
		if (*foff == f->len) {
			(*fi)++;
			*foff = 0;
		}
	}
}

/* A copy of @p: headers in the head, the tail in whole pages. */
static struct sk_buff *nfl_rx_skb(struct nfl *n,
				  const struct xpv_netfront_pkt *p)
{
	size_t head = p->len <= NFL_RX_LINEAR ? p->len : NFL_RX_PULL;
	size_t left = p->len - head, fi = 0, foff = 0;
	struct sk_buff *skb;

	skb = __netdev_alloc_skb_ip_align(n->ndev, head, GFP_ATOMIC);
	if (!skb)
		return NULL;
	nfl_copy_out(p, &fi, &foff, skb_put(skb, head), head);
	while (left) {
		size_t c = min_t(size_t, left, PAGE_SIZE);
		struct page *pg;

		if (skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)
			goto drop;
		pg = alloc_page(GFP_ATOMIC);
		if (!pg)
			goto drop;
		nfl_copy_out(p, &fi, &foff, page_address(pg), c);
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, pg, 0, c,
				PAGE_SIZE);
		left -= c;
	}
	return skb;
drop:
	kfree_skb(skb);
	return NULL;
}

/* Runs inside xpv_netfront_rx_poll with the rx lock held: only queue. */
static void nfl_rx(void *arg, unsigned int queue,
		   const struct xpv_netfront_pkt *p)
{
	struct nfl *n = arg;
	struct sk_buff *skb;

	if (queue >= XPV_NETFRONT_MAX_QUEUES)
		return;
	skb = nfl_rx_skb(n, p);
	if (!skb) {
		atomic64_inc(&n->rx_nomem);
		return;
	}
	if (p->flags & XPV_NETFRONT_PKT_CSUM_BLANK)
		skb->ip_summed = CHECKSUM_PARTIAL;
	else if (p->flags & XPV_NETFRONT_PKT_DATA_VALID)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	if (p->gso_type) {
		unsigned int t = p->gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ?
					 SKB_GSO_TCPV4 : SKB_GSO_TCPV6;

		skb_shinfo(skb)->gso_size = p->gso_size;
		skb_shinfo(skb)->gso_type = t | SKB_GSO_DODGY;
		skb_shinfo(skb)->gso_segs = 0;
	}
	__skb_queue_tail(&n->q[queue].rxq, skb);
}

/* Outside every lock: headers, the checksum state, up the stack. */
static void nfl_rx_deliver(struct nfl *n, struct nfl_queue *nq)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&nq->rxq))) {
		skb->protocol = eth_type_trans(skb, n->ndev);
		skb_reset_network_header(skb);
		/* Where the L4 checksum is: ours to find, not the peer's. */
		if (skb->ip_summed == CHECKSUM_PARTIAL &&
		    skb_checksum_setup(skb, false)) {
			n->ndev->stats.rx_frame_errors++;
			kfree_skb(skb);
			continue;
		}
		napi_gro_receive(&nq->napi, skb);
	}
}

static int nfl_poll(struct napi_struct *napi, int budget)
{
	struct nfl_queue *nq = container_of(napi, struct nfl_queue, napi);
	struct nfl *n = netdev_priv(napi->dev);
	unsigned int qi = nq - n->q;
	int done;

	done = xpv_netfront_rx_poll(&n->nf, qi, budget);
	nfl_rx_deliver(n, nq);
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

static void nfl_rx_schedule(void *arg, unsigned int queue)
{
	struct nfl *n = arg;

	if (queue < XPV_NETFRONT_MAX_QUEUES)
		napi_schedule(&n->q[queue].napi);
}

/* ---- tx ------------------------------------------------------------------ */

static int nfl_tx_pkt(struct sk_buff *skb, struct xpv_netfront_pkt *p)
{
	struct skb_shared_info *si;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	if (skb_shinfo(skb)->nr_frags + 1 > XPV_NETFRONT_MAX_SLOTS &&
	    skb_linearize(skb))
		return -ENOMEM;
	si = skb_shinfo(skb);
	p->frags[0].data = skb->data;
	p->frags[0].len = skb_headlen(skb);
	for (i = 0; i < si->nr_frags; i++) {
		p->frags[i + 1].data = skb_frag_address(&si->frags[i]);
		p->frags[i + 1].len = skb_frag_size(&si->frags[i]);
	}
	p->nr_frags = si->nr_frags + 1;
	p->len = skb->len;
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		p->flags |= XPV_NETFRONT_PKT_CSUM_BLANK;
	if (!skb_is_gso(skb))
		return 0;
	if (si->gso_type & SKB_GSO_TCPV4)
		p->gso_type = XEN_NETIF_GSO_TYPE_TCPV4;
	else if (si->gso_type & SKB_GSO_TCPV6)
		p->gso_type = XEN_NETIF_GSO_TYPE_TCPV6;
	else
		return -EINVAL;
	p->gso_size = si->gso_size;
	return 0;
}

/* The core copies the frame before it returns, so the skb is ours again. */
static netdev_tx_t nfl_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct nfl *n = netdev_priv(dev);
	u16 qi = skb_get_queue_mapping(skb);
	struct xpv_netfront_pkt p;
	int err;

	err = nfl_tx_pkt(skb, &p);
	if (!err)
		err = xpv_netfront_xmit(&n->nf, qi, &p);
	if (err == -XPV_EAGAIN) {
		/* Stop first: a completion from now on wakes the queue. */
		netif_stop_subqueue(dev, qi);
		err = xpv_netfront_xmit(&n->nf, qi, &p);
		if (err == -XPV_EAGAIN)
			return NETDEV_TX_BUSY;
		netif_wake_subqueue(dev, qi);
	}
	if (err)
		dev->stats.tx_dropped++;
	dev_consume_skb_any(skb);
	return NETDEV_TX_OK;
}

static void nfl_tx_wake(void *arg, unsigned int queue)
{
	struct nfl *n = arg;

	if (queue < n->ndev->real_num_tx_queues)
		netif_wake_subqueue(n->ndev, queue);
}

/* Offloads the stack may use on this skb: what the backend agreed. */
static netdev_features_t nfl_features_check(struct sk_buff *skb,
					    struct net_device *dev,
					    netdev_features_t features)
{
	struct nfl *n = netdev_priv(dev);
	u32 f = READ_ONCE(n->tx_features);

	if (!(f & XPV_NETFRONT_F_CSUM))
		features &= ~(NETIF_F_IP_CSUM | NETIF_F_TSO);
	if (!(f & XPV_NETFRONT_F_IPV6_CSUM))
		features &= ~(NETIF_F_IPV6_CSUM | NETIF_F_TSO6);
	if (!(f & XPV_NETFRONT_F_GSO_TCPV4))
		features &= ~NETIF_F_TSO;
	if (!(f & XPV_NETFRONT_F_GSO_TCPV6))
		features &= ~NETIF_F_TSO6;
	return vlan_features_check(skb, features);
}

static netdev_features_t nfl_fix_features(struct net_device *dev,
					  netdev_features_t features)
{
	struct nfl *n = netdev_priv(dev);
	u32 f = READ_ONCE(n->tx_features);

	if (!READ_ONCE(n->agreed))
		return features;
	if (!(f & XPV_NETFRONT_F_CSUM))
		features &= ~NETIF_F_IP_CSUM;
	if (!(f & XPV_NETFRONT_F_IPV6_CSUM))
		features &= ~NETIF_F_IPV6_CSUM;
	if (!(f & XPV_NETFRONT_F_GSO_TCPV4))
		features &= ~NETIF_F_TSO;
	if (!(f & XPV_NETFRONT_F_GSO_TCPV6))
		features &= ~NETIF_F_TSO6;
	return features;
}

/* ---- net_device ---------------------------------------------------------- */

static int nfl_open(struct net_device *dev)
{
	struct nfl *n = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < n->nf.cfg.max_queues; i++) {
		napi_enable(&n->q[i].napi);
		/* Whatever came while we were down. */
		local_bh_disable();
		napi_schedule(&n->q[i].napi);
		local_bh_enable();
	}
	netif_tx_start_all_queues(dev);
	return 0;
}

static int nfl_stop(struct net_device *dev)
{
	struct nfl *n = netdev_priv(dev);
	unsigned int i;

	netif_tx_stop_all_queues(dev);
	for (i = 0; i < n->nf.cfg.max_queues; i++) {
		napi_disable(&n->q[i].napi);
		__skb_queue_purge(&n->q[i].rxq);
	}
	return 0;
}

/* Without scatter-gather a frame must fit one page on the ring. */
static int nfl_change_mtu(struct net_device *dev, int mtu)
{
	struct nfl *n = netdev_priv(dev);
	u32 f = READ_ONCE(n->tx_features);

	if (f && !(f & XPV_NETFRONT_F_SG) && mtu > ETH_DATA_LEN)
		return -EINVAL;
	dev->mtu = mtu;
	return 0;
}

static void nfl_get_stats64(struct net_device *dev,
			    struct rtnl_link_stats64 *s)
{
	struct nfl *n = netdev_priv(dev);
	struct xpv_netfront_stats st;

	xpv_netfront_stats(&n->nf, &st);
	s->tx_packets = st.tx_packets;
	s->tx_bytes = st.tx_bytes;
	s->tx_errors = st.tx_errors;
	s->tx_dropped = st.tx_dropped + dev->stats.tx_dropped;
	s->rx_packets = st.rx_packets;
	s->rx_bytes = st.rx_bytes;
	s->rx_errors = st.rx_errors + dev->stats.rx_frame_errors;
	s->rx_frame_errors = dev->stats.rx_frame_errors;
	s->rx_dropped = st.rx_dropped + atomic64_read(&n->rx_nomem);
}

static const struct net_device_ops nfl_netdev_ops = {
	.ndo_open = nfl_open,
	.ndo_stop = nfl_stop,
	.ndo_start_xmit = nfl_xmit,
	.ndo_features_check = nfl_features_check,
	.ndo_fix_features = nfl_fix_features,
	.ndo_change_mtu = nfl_change_mtu,
	.ndo_get_stats64 = nfl_get_stats64,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

static void nfl_get_drvinfo(struct net_device *dev,
			    struct ethtool_drvinfo *info)
{
	struct nfl *n = netdev_priv(dev);

	strscpy(info->driver, "xenpv-netfront", sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&n->xdev->dev),
		sizeof(info->bus_info));
}

static const struct ethtool_ops nfl_ethtool_ops = {
	.get_drvinfo = nfl_get_drvinfo,
	.get_link = ethtool_op_get_link,
};

/* ---- the link: carrier at once, MTU/features/queues under rtnl ---------- */

static void nfl_link_work(struct work_struct *w)
{
	struct nfl *n = container_of(w, struct nfl, link_work);
	struct net_device *dev = n->ndev;
	struct xpv_netfront_info in;
	bool up = xpv_netfront_connected(&n->nf);

	xpv_netfront_get_info(&n->nf, &in);
	rtnl_lock();
	if (up && in.nr_queues) {
		netif_set_real_num_tx_queues(dev, in.nr_queues);
		netif_set_real_num_rx_queues(dev, in.nr_queues);
		if (!ether_addr_equal(dev->dev_addr, in.mac)) {
			eth_hw_addr_set(dev, in.mac);
			call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
		}
		dev->max_mtu = (in.tx_features & XPV_NETFRONT_F_SG) ?
				       NFL_TSO_MAX : ETH_DATA_LEN;
		if (dev->mtu != in.mtu && dev_set_mtu(dev, in.mtu))
			netdev_warn(dev, "cannot take the vif's mtu %u\n",
				    in.mtu);
	}
	netdev_update_features(dev);
	if (up && xpv_netfront_connected(&n->nf))
		netif_carrier_on(dev);
	rtnl_unlock();
	netdev_info(dev, "link %s: %u queue(s), mtu %u, tx features %#x\n",
		    up ? "up" : "down", in.nr_queues, dev->mtu,
		    in.tx_features);
}

/* From inside the core's state machine, with n->lock held. */
static void nfl_link(void *arg, bool up)
{
	struct nfl *n = arg;
	struct xpv_netfront_info in;

	if (up) {
		xpv_netfront_get_info(&n->nf, &in);
		WRITE_ONCE(n->tx_features, in.tx_features);
		WRITE_ONCE(n->agreed, true);
	} else {
		netif_carrier_off(n->ndev);
		WRITE_ONCE(n->tx_features, 0);
	}
	if (!n->closing)
		schedule_work(&n->link_work);
}

/* ---- xenbus -------------------------------------------------------------- */

/*
 * The core writes our state node itself; the kernel's copy is kept in step
 * because xenbus waits on it at module load and reads it at shutdown.
 */
static void nfl_sync_state(struct nfl *n)
{
	n->xdev->state = n->nf.state;
}

static void nfl_kick(void *arg)
{
	struct nfl *n = arg;

	schedule_work(&n->work);
}

static void nfl_work(struct work_struct *w)
{
	struct nfl *n = container_of(w, struct nfl, work);

	mutex_lock(&n->lock);
	if (!n->closing) {
		xpv_netfront_work(&n->nf);
		nfl_sync_state(n);
	}
	mutex_unlock(&n->lock);
}

static const struct xpv_netfront_ops nfl_ops = {
	.rx = nfl_rx,
	.rx_schedule = nfl_rx_schedule,
	.tx_wake = nfl_tx_wake,
	.link = nfl_link,
	.kick = nfl_kick,
};

static void nfl_otherend_changed(struct xenbus_device *xdev,
				 enum xenbus_state backend_state)
{
	struct nfl *n = dev_get_drvdata(&xdev->dev);

	if (!n)
		return;
	mutex_lock(&n->lock);
	if (!n->closing) {
		xpv_netfront_otherend_changed(&n->nf);
		nfl_sync_state(n);
	}
	mutex_unlock(&n->lock);
}

static unsigned int nfl_nr_queues(void)
{
	unsigned int n = max_queues ? max_queues : num_online_cpus();

	return clamp_t(unsigned int, n, 1, XPV_NETFRONT_MAX_QUEUES);
}

static int nfl_devid(struct xenbus_device *xdev, unsigned int *devid)
{
	const char *s = strrchr(xdev->nodename, '/');

	return s ? kstrtouint(s + 1, 10, devid) : -EINVAL;
}

/* The toolstack's MAC; the core refuses to connect without a valid one. */
static void nfl_read_mac(struct nfl *n)
{
	char *v = xenbus_read(XBT_NIL, n->xdev->nodename, "mac", NULL);
	u8 mac[ETH_ALEN];

	if (!IS_ERR(v) && !xpv_netfront_parse_mac(v, mac))
		eth_hw_addr_set(n->ndev, mac);
	else
		eth_hw_addr_random(n->ndev);
	if (!IS_ERR(v))
		kfree(v);
}

static void nfl_setup_netdev(struct nfl *n)
{
	struct net_device *dev = n->ndev;
	unsigned int i;

	dev->netdev_ops = &nfl_netdev_ops;
	dev->ethtool_ops = &nfl_ethtool_ops;
	/* Frames are copied into ring pages: any skb layout will do. */
	dev->hw_features = NETIF_F_SG | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM |
			   NETIF_F_TSO | NETIF_F_TSO6;
	dev->features = dev->hw_features;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = NFL_TSO_MAX;
	netif_set_tso_max_size(dev, XPV_NETFRONT_MAX_TX_FRAME);
	netif_set_tso_max_segs(dev, XPV_NETFRONT_MAX_TX_FRAME / 512);
	SET_NETDEV_DEV(dev, &n->xdev->dev);
	/* One until a connection says how many: stop and wake use the same. */
	netif_set_real_num_tx_queues(dev, 1);
	netif_set_real_num_rx_queues(dev, 1);
	for (i = 0; i < n->nf.cfg.max_queues; i++) {
		skb_queue_head_init(&n->q[i].rxq);
		netif_napi_add(dev, &n->q[i].napi, nfl_poll);
	}
	nfl_read_mac(n);
	netif_carrier_off(dev);
}

static void nfl_free(struct nfl *n)
{
	unsigned int i, leaked = 0;

	if (n->inited) {
		for (i = 0; i < n->nf.cfg.max_queues; i++)
			netif_napi_del(&n->q[i].napi);
		leaked = xpv_netfront_destroy(&n->nf);
	}
	dev_info(&n->xdev->dev, "xenpv-netfront: %u grant(s) leaked\n",
		 leaked);
	free_netdev(n->ndev);
}

static int nfl_probe(struct xenbus_device *xdev,
		     const struct xenbus_device_id *id)
{
	struct xpv_netfront_config cfg;
	struct net_device *dev;
	unsigned int devid;
	struct nfl *n;
	int err;

	err = nfl_devid(xdev, &devid);
	if (err)
		return err;
	xpv_netfront_default_config(&cfg);
	cfg.devid = devid;
	cfg.max_queues = nfl_nr_queues();
	dev = alloc_etherdev_mq(sizeof(*n), cfg.max_queues);
	if (!dev)
		return -ENOMEM;
	n = netdev_priv(dev);
	n->ndev = dev;
	n->xdev = xdev;
	mutex_init(&n->lock);
	INIT_WORK(&n->work, nfl_work);
	INIT_WORK(&n->link_work, nfl_link_work);
	err = xpv_netfront_init(&n->nf, &cfg, &nfl_ops, n);
	if (err) {
		free_netdev(dev);
		return err;
	}
	n->inited = true;
	nfl_setup_netdev(n);
	err = register_netdev(dev);
	if (err)
		goto fail;
	dev_set_drvdata(&xdev->dev, n);
	mutex_lock(&n->lock);
	err = xpv_netfront_start(&n->nf);
	nfl_sync_state(n);
	mutex_unlock(&n->lock);
	if (!err)
		return 0;
	dev_set_drvdata(&xdev->dev, NULL);
	unregister_netdev(dev);
fail:
	nfl_free(n);
	return err;
}

/* The backend unmaps our rings once it is Closed: then they can go. */
static void nfl_wait_backend(struct nfl *n)
{
	unsigned int i;

	for (i = 0; i < 100; i++) {
		enum xenbus_state s;

		s = xenbus_read_driver_state(n->xdev->otherend);
		if (s == XenbusStateClosed || s == XenbusStateUnknown)
			break;
		msleep(100);
	}
}

static void nfl_remove(struct xenbus_device *xdev)
{
	struct nfl *n = dev_get_drvdata(&xdev->dev);
	struct xpv_netfront_stats st;

	if (!n)
		return;
	mutex_lock(&n->lock);
	n->closing = true;
	xpv_netfront_close(&n->nf);
	nfl_sync_state(n);
	mutex_unlock(&n->lock);
	cancel_work_sync(&n->link_work);
	cancel_work_sync(&n->work);
	unregister_netdev(n->ndev);
	nfl_wait_backend(n);
	xpv_netfront_work(&n->nf);
	xpv_netfront_stats(&n->nf, &st);
	dev_info(&xdev->dev,
		 "xenpv-netfront: closed: tx %llu rx %llu packets, rx dropped "
		 "%llu, protocol errors %llu, %u grant(s) deferred\n",
		 st.tx_packets, st.rx_packets, st.rx_dropped,
		 st.protocol_errors, st.gnt_deferred);
	dev_set_drvdata(&xdev->dev, NULL);
	nfl_free(n);
}

static const struct xenbus_device_id nfl_ids[] = {
	{ "vif" },
	{ "" }
};

static struct xenbus_driver nfl_driver = {
	.name = "xenpv-vif",
	.ids = nfl_ids,
	.probe = nfl_probe,
	.remove = nfl_remove,
	.otherend_changed = nfl_otherend_changed,
};

static int __init nfl_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	return xenbus_register_frontend(&nfl_driver);
}

static void __exit nfl_exit(void)
{
	xenbus_unregister_driver(&nfl_driver);
}

module_init(nfl_init);
module_exit(nfl_exit);
MODULE_DESCRIPTION("xenpv network frontend (net_device with NAPI)");
MODULE_LICENSE("Dual MIT/GPL");
