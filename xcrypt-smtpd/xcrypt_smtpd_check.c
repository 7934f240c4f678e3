/*++
/* NAME
/*	xcrypt_smtpd_check 3
/* SUMMARY
/*	xcrypt-smtpd: what the smtpd pass service behind us runs with
/* SYNOPSIS
/*	#include "xcrypt_smtpd.h"
/*
/*	void	xsd_check_pass_service(overrides)
/*	const XSD_OVERRIDE *overrides;
/* DESCRIPTION
/*	xsd_check_pass_service() reads $config_directory/master.cf at
/*	start-up and finds the \fBpass\fR service that the front end
/*	hands its clients to ($xcrypt_smtpd_pass_service).
/*
/*	The front end must end DATA and decide about XCRYPT exactly as
/*	that smtpd(8) does, so for each parameter in overrides (a null
/*	terminated table of name and string variable) a \fB-o
/*	name=value\fR (or \fB-o { name = value }\fR, or \fB-oname=value\fR,
/*	as master(8) and the daemon read them) on the pass service's line
/*	replaces the front
/*	end's own value (main.cf, or its own \fB-o\fR), and the change
/*	is logged. Values are expanded as main.cf values are.
/*
/*	A pass service that runs postscreen(8) is refused: xcrypt-smtpd
/*	cannot sit in front of postscreen (postscreen sees a local
/*	socket instead of the client, and answers 450 to everyone).
/*	postscreen(8) in front of xcrypt-smtpd works.
/* DIAGNOSTICS
/*	Fatal: the pass service runs postscreen(8). Warning: no pass
/*	service of that name in master.cf.
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <ctype.h>
#include <string.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <vstream.h>
#include <vstring.h>
#include <argv.h>
#include <vstring_vstream.h>
#include <stringops.h>

/* Global library. */

#include <mail_params.h>
#include <mail_conf.h>

/* Application-specific. */

#include "xcrypt_smtpd.h"

/* xsd_check_split - master.cf fields as master(8) splits them */

static ARGV *xsd_check_split(const char *entry)
{
    ARGV   *argv = argv_alloc(10);
    char   *saved = mystrdup(entry);
    char   *bp = saved;
    char   *cp;

    /*
     * As master_ent.c: white space separates, "{ ... }" groups (Postfix 3.0
     * "-o { name = value }"), and the braces are stripped.
     */
    while ((cp = mystrtokq(&bp, CHARS_SPACE, CHARS_BRACE)) != 0) {
	if (*cp == CHARS_BRACE[0]
	    && extpar(&cp, CHARS_BRACE, EXTPAR_FLAG_STRIP) != 0)
	    continue;				/* master(8) refuses it */
	argv_add(argv, cp, (char *) 0);
    }
    argv_terminate(argv);
    myfree(saved);
    return (argv);
}

/* xsd_check_entry - one master.cf entry: is it ours, and what does it say */

static int xsd_check_entry(const char *entry, const XSD_OVERRIDE *ovr)
{
    ARGV   *argv = xsd_check_split(entry);
    const XSD_OVERRIDE *op;
    const char *cmd;
    const char *opt;
    char   *setting;
    char   *name;
    char   *value;
    const char *eval;
    int     i;

    if (argv->argc < 8 || strcmp(argv->argv[0], var_xsd_pass_service) != 0
	|| strcmp(argv->argv[1], "pass") != 0) {
	argv_free(argv);
	return (0);
    }
    cmd = strrchr(argv->argv[7], '/') ? strrchr(argv->argv[7], '/') + 1 :
	argv->argv[7];
    if (strcmp(cmd, "postscreen") == 0)
	msg_fatal("%s = %s: that service runs postscreen(8), which cannot"
		  " work behind xcrypt-smtpd; put postscreen(8) in front of"
		  " xcrypt-smtpd instead (see README.postfix)",
		  VAR_XSD_PASS_SERVICE, var_xsd_pass_service);
    for (i = 8; i < argv->argc; i++) {

	/*
	 * "-o name=value", "-oname=value" (getopt), and "-o { name = value }"
	 * (braces gone already): the daemon takes all three.
	 */
	if (strcmp(argv->argv[i], "-o") == 0 && i + 1 < argv->argc)
	    opt = argv->argv[++i];
	else if (strncmp(argv->argv[i], "-o", 2) == 0 && argv->argv[i][2])
	    opt = argv->argv[i] + 2;
	else
	    continue;
	setting = mystrdup(opt);
	if (split_nameval(setting, &name, &value) == 0) {
	    for (op = ovr; op->name; op++) {
		if (strcmp(name, op->name) != 0)
		    continue;
		eval = mail_conf_eval(value);
		if (strcmp(eval, *op->value) != 0)
		    msg_info("%s = %s, as on the %s service (not \"%s\")",
			     op->name, eval, var_xsd_pass_service, *op->value);
		*op->value = mystrdup(eval);
	    }
	}
	myfree(setting);
    }
    argv_free(argv);
    return (1);
}

/* xsd_check_pass_service - read the pass service's master.cf entry */

void    xsd_check_pass_service(const XSD_OVERRIDE *ovr)
{
    char   *path = concatenate(var_config_dir, "/", "master.cf", (char *) 0);
    VSTREAM *fp;
    VSTRING *line = vstring_alloc(200);
    VSTRING *entry = vstring_alloc(200);
    int     found = 0;

    if ((fp = vstream_fopen(path, O_RDONLY, 0)) == 0) {
	msg_warn("open %s: %m: cannot check service %s", path,
		 var_xsd_pass_service);
    } else {

	/*
	 * Logical lines: a line that starts with white space continues the
	 * one before; comments and empty lines end nothing.
	 */
	while (!found && vstring_get_nonl(line, fp) != VSTREAM_EOF) {
	    if (*vstring_str(line) == '#' || *vstring_str(line) == 0
	      || vstring_str(line)[strspn(vstring_str(line), CHARS_SPACE)] == 0)
		continue;
	    if (ISSPACE(*vstring_str(line))) {
		vstring_sprintf_append(entry, " %s", vstring_str(line));
		continue;
	    }
	    if (VSTRING_LEN(entry) > 0)
		found = xsd_check_entry(vstring_str(entry), ovr);
	    vstring_strcpy(entry, vstring_str(line));
	}
	if (!found && VSTRING_LEN(entry) > 0)
	    found = xsd_check_entry(vstring_str(entry), ovr);
	(void) vstream_fclose(fp);
	if (!found)
	    msg_warn("%s: no pass service \"%s\" (%s)", path,
		     var_xsd_pass_service, VAR_XSD_PASS_SERVICE);
    }
    vstring_free(line);
    vstring_free(entry);
    myfree(path);
}
