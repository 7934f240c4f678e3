/*++
/* NAME
/*	t_client 1
/* SUMMARY
/*	the client's handshake steps (xc_client)
/* SYNOPSIS
/*	t_client
/* DESCRIPTION
/*	The one copy of the client handshake that xcrypt-smtp's hook,
/*	xc_chat and the bench use. Per suite, against a server session
/*	(xc_session, the server's half): the command parses as the
/*	server would parse it, the reply is accepted and both ends hold
/*	the same keys and fingerprint; the switch turns the stream on
/*	and wipes the key pair and keys held by the object. Suite choice
/*	follows the server's order within the client's list. A bad reply
/*	(out-of-range Kb, wrong suite's reply text) is refused with a
/*	reason and wipes the secrets at once; steps out of sequence are
/*	refused; only chacha20poly1305_2.1 allows the pipelined
/*	confirmation; the confirmation text is matched in any case.
/*--*/

/* checks: 56 */

/* System library. */

#include <sys_defs.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <vstream.h>

/* Application-specific. */

#include "xc_private.h"
#include "t_check.h"

/* all_zero - is the buffer zero? */

static int all_zero(const void *p, size_t len)
{
    const unsigned char *cp = (const unsigned char *) p;

    while (len-- > 0)
	if (*cp++)
	    return (0);
    return (1);
}

/* server_reply - the server's half: parse the command, reply text */

static int server_reply(const char *cmd, XC_SESSION *srv, char *reply,
			        size_t size)
{
    XC_HELLO hello;
    int     err;
    const char *why;

    if (xc_parse_command(cmd, strlen(cmd), (XC_SUITE_LIST *) 0, &hello,
			 &err, &why) != XC_CMD_HELLO)
	return (-1);
    if (xc_session_start(srv, (XC_CACHE *) 0, hello.suite,
			 XC_ROLE_SERVER) != XC_OK
	|| xc_session_finish(srv, (XC_CACHE *) 0, &hello) != XC_OK)
	return (-1);
    /* The text after "250 ". */
    if (xc_format_hello_reply(reply, size, hello.suite, srv->pair.pub,
			      srv->nonce) < 0)
	return (-1);
    memmove(reply, reply + 4, strlen(reply + 4) + 1);
    return (0);
}

/* waited_switch - the client read 250 XCRYPT OK itself; what follows? */

static void waited_switch(const XC_SUITE *suite, const char *label, int keep)
{
    XC_CLIENT *xc = xc_client_create();
    XC_SESSION srv;
    XC_CIPHER *peer;
    char    cmd[XC_LINE_MAX + 1];
    char    reply[XC_LINE_MAX + 1];
    unsigned char wire[XC_LINE_MAX + XC_REC_MAX];
    char    got[100];
    const char *why;
    size_t  len;
    ssize_t ret;
    VSTREAM *fp;
    int     sv[2];
    int     ch;
    int     ok;

    /*
     * Spec 4.5 allows a 2.1 client to wait for 250 XCRYPT OK; every octet
     * after that line is then protected input, never discarded. With the
     * other suites it is discarded (4.3).
     */
    if (xc_client_hello(xc, (XC_CACHE *) 0, suite, cmd, sizeof(cmd)) < 0
	|| server_reply(cmd, &srv, reply, sizeof(reply)) < 0
	|| xc_client_reply(xc, (XC_CACHE *) 0, reply, strlen(reply), &why) != XC_OK
	|| socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
	msg_fatal("waited_switch: handshake");
    memcpy(wire, "250 XCRYPT OK\r\n", 15);
    peer = xc_cipher_create(suite, srv.keys.s2c);
    if (xc_record_seal(peer, (const unsigned char *) "250 2.1.0 Ok\r\n", 14,
		       wire + 15, &len) != XC_OK)
	msg_fatal("waited_switch: seal");
    xc_cipher_free(peer);
    if (write(sv[1], wire, 15 + len) != (ssize_t) (15 + len))
	msg_fatal("waited_switch: write");
    fp = vstream_fdopen(sv[0], O_RDWR);
    vstream_control(fp, CA_VSTREAM_CTL_TIMEOUT(2), CA_VSTREAM_CTL_END);
    while ((ch = VSTREAM_GETC(fp)) != VSTREAM_EOF && ch != '\n')
	 /* void */ ;
    ret = xc_client_switch_confirmed(xc, fp);
    if (keep)
	ok = (ret == 0 && vstream_fread(fp, got, 14) == 14
	      && memcmp(got, "250 2.1.0 Ok\r\n", 14) == 0);
    else
	ok = (ret == (ssize_t) len);
    T_CHECKF(label, ok, "switch returned %ld", (long) ret);
    xc_stream_stop(fp);
    (void) vstream_fclose(fp);
    close(sv[1]);
    xc_session_wipe(&srv);
    xc_client_free(xc);
}

/* one_suite - a whole handshake and switch with one suite */

static void one_suite(const XC_SUITE *suite)
{
    XC_CLIENT *xc = xc_client_create();
    XC_SESSION srv;
    char    cmd[XC_LINE_MAX + 1];
    char    reply[XC_LINE_MAX + 1];
    char    name[200];
    const char *why = 0;
    VSTREAM *fp;
    int     sv[2];
    ssize_t len;

#define NAME(s) (snprintf(name, sizeof(name), "client_%s_%s", suite->name, (s)), name)

    len = xc_client_hello(xc, (XC_CACHE *) 0, suite, cmd, sizeof(cmd));
    T_CHECK(NAME("hello_formats_command"), len > 0 && (size_t) len == strlen(cmd)
	    && strncmp(cmd, "XCRYPT ", 7) == 0);
    T_CHECK(NAME("secrets_on_the_heap_object"), xc->sess.pair.privlen > 0
	    && xc->state == XC_CLIENT_STATE_HELLO);
    T_CHECK(NAME("server_accepts_command"),
	    server_reply(cmd, &srv, reply, sizeof(reply)) == 0);
    T_CHECK(NAME("reply_accepted"),
	    xc_client_reply(xc, (XC_CACHE *) 0, reply, strlen(reply), &why) == XC_OK
	    && xc->state == XC_CLIENT_STATE_KEYS);
    T_CHECK(NAME("same_keys_both_ends"),
	    memcmp(xc->sess.keys.c2s, srv.keys.c2s, suite->key_len) == 0
	    && memcmp(xc->sess.keys.s2c, srv.keys.s2c, suite->key_len) == 0);
    T_CHECK(NAME("same_fingerprint_both_ends"),
	    strcmp(xc->sess.fingerprint, srv.fingerprint) == 0
	    && strlen(srv.fingerprint) == 16);
    T_CHECK(NAME("pipelined_confirmation_only_for_2_1"),
	    (xc_client_pipelined(xc) != 0)
	    == (strcmp(suite->name, "chacha20poly1305_2.1") == 0));

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
	msg_fatal("socketpair: %m");
    fp = vstream_fdopen(sv[0], O_RDWR);
    T_CHECK(NAME("switch_turns_stream_on"),
	    xc_client_switch(xc, fp) == 0 && xc_stream_active(fp)
	    && xc->state == XC_CLIENT_STATE_ON);
    T_CHECK(NAME("switch_wipes_pair_and_keys"),
	    all_zero(&xc->sess.pair, sizeof(xc->sess.pair))
	    && all_zero(&xc->sess.keys, sizeof(xc->sess.keys))
	    && all_zero(xc->sess.nonce, sizeof(xc->sess.nonce))
	    && strlen(xc->sess.fingerprint) == 16);
    T_CHECK(NAME("second_switch_refused"),
	    xc_client_switch(xc, fp) == XC_ERR_STATE);
    xc_stream_stop(fp);
    (void) vstream_fclose(fp);
    close(sv[1]);
    xc_session_wipe(&srv);
    xc_client_free(xc);
}

/* main - run the cases */

int     main(int argc, char **argv)
{
    XC_SUITE_LIST offered;
    XC_SUITE_LIST allowed;
    XC_CLIENT *xc;
    XC_SESSION srv;
    char    cmd[XC_LINE_MAX + 1];
    char    reply[XC_LINE_MAX + 1];
    const XC_SUITE *chacha = xc_suite(XC_SUITE_CHACHA);
    const char *why = 0;
    const char *bad;
    int     i;

    xc_init();
    for (i = 0; i < XC_SUITE_COUNT; i++)
	one_suite(xc_suite(i));

    /*
     * Suite choice: the server's order, within the client's list.
     */
    xc_suite_list_parse("arrsyfor_1.0 chacha20poly1305_2.0", &offered, &bad);
    xc_suite_list_parse("chacha20poly1305_2.0 arrsyfor_1.0", &allowed, &bad);
    T_CHECK("client_choose_follows_server_order",
	    xc_client_choose(&offered, &allowed) == xc_suite(XC_SUITE_ARRSYFOR));
    xc_suite_list_parse("sober128_1.0", &allowed, &bad);
    T_CHECK("client_choose_none_allowed", xc_client_choose(&offered, &allowed) == 0);

    /*
     * A bad Kb: refused with a reason, secrets wiped at once.
     */
    xc = xc_client_create();
    (void) xc_client_hello(xc, (XC_CACHE *) 0, chacha, cmd, sizeof(cmd));
    (void) server_reply(cmd, &srv, reply, sizeof(reply));
    {
	/* The server's reply with Kb = 1: out of range (spec 4). */
	const XC_GROUP *g = xc_group(chacha->group);
	unsigned char one[XC_PMAX];

	memset(one, 0, sizeof(one));
	one[g->plen - 1] = 1;
	(void) xc_format_hello_reply(reply, sizeof(reply), chacha, one,
				     srv.nonce);
	memmove(reply, reply + 4, strlen(reply + 4) + 1);
    }
    T_CHECK("client_reply_kb_out_of_range_refused",
	    xc_client_reply(xc, (XC_CACHE *) 0, reply, strlen(reply), &why) == XC_ERR_KEY_RANGE);
    T_CHECK("client_reply_refusal_has_reason", why != 0 && *why != 0);
    T_CHECK("client_reply_refusal_wipes_secrets",
	    xc->state == XC_CLIENT_STATE_FAILED
	    && all_zero(&xc->sess, sizeof(xc->sess)));
    T_CHECK("client_switch_after_failure_refused",
	    xc_client_switch(xc, VSTREAM_ERR) == XC_ERR_STATE);
    xc_client_free(xc);
    xc_session_wipe(&srv);

    /*
     * A reply that is not "XCRYPT Kb Nb".
     */
    xc = xc_client_create();
    (void) xc_client_hello(xc, (XC_CACHE *) 0, chacha, cmd, sizeof(cmd));
    T_CHECK("client_reply_not_xcrypt_refused",
	    xc_client_reply(xc, (XC_CACHE *) 0, "OK fine", 7, &why) == XC_ERR_SYNTAX
	    && xc->state == XC_CLIENT_STATE_FAILED);
    xc_client_free(xc);

    /*
     * Out of sequence.
     */
    xc = xc_client_create();
    T_CHECK("client_reply_before_hello_refused",
	    xc_client_reply(xc, (XC_CACHE *) 0, "XCRYPT a b", 10, &why) == XC_ERR_STATE);
    xc_client_free(xc);
    xc = xc_client_create();
    (void) xc_client_hello(xc, (XC_CACHE *) 0, chacha, cmd, sizeof(cmd));
    T_CHECK("client_second_hello_refused",
	    xc_client_hello(xc, (XC_CACHE *) 0, chacha, cmd, sizeof(cmd)) == XC_ERR_STATE);
    T_CHECK("client_switch_before_reply_refused",
	    xc_client_switch(xc, VSTREAM_ERR) == XC_ERR_STATE);
    xc_client_free(xc);
    xc_client_free((XC_CLIENT *) 0);

    /*
     * A client that waited for 250 XCRYPT OK.
     */
    waited_switch(xc_suite(XC_SUITE_CHACHA21),
		  "client_2_1_waited_confirmation_keeps_what_follows", 1);
    waited_switch(xc_suite(XC_SUITE_CHACHA),
		  "client_2_0_confirmation_discards_what_follows", 0);

    /*
     * The confirmation.
     */
    T_CHECK("client_confirmed_exact", xc_client_confirmed("XCRYPT OK", 9));
    T_CHECK("client_confirmed_any_case", xc_client_confirmed("xcrypt ok", 9));
    T_CHECK("client_confirmed_not_fail", !xc_client_confirmed("XCRYPT FAIL", 11));
    T_CHECK("client_confirmed_not_prefix", !xc_client_confirmed("XCRYPT OKAY", 11));
    return (T_DONE());
}
