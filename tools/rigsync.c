/*
 * rigsync: command-line tool.
 *   rigsync run   [options]       apply a config, stream, print frames and a sync summary
 *   rigsync record [options] -o F run quietly and record the run into an MCAP file
 *   rigsync report [opts] -o F.html  a page of plots of the run (also .png, .svg, .pdf)
 *   rigsync info FILE.mcap        what a recording holds
 *   rigsync recover IN -o OUT     a complete file from a cut recording
 *   rigsync export F --frameset N -o DIR   one frameset as PNG files and JSON
 *   rigsync check FILE            validate a config and print the resolved rig
 *   rigsync list  [--config FILE] list the backend's devices
 *   rigsync view  [options]       a live window: every camera, the sync scope, the verdict
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cli.h"
#include "cli_node.h"
#include "common/util.h"
#include "config/config_internal.h"
#include "mode/mode.h"
#include "view/view.h"

void cli_usage(FILE *out)
{
    fprintf(out,
            "usage: rigsync <command> [options]\n"
            "\n"
            "commands:\n"
            "  run    [--config FILE] [--seconds S] [--clock-sync-interval-ms MS]\n"
            "         [--virtual-time] [--seed N] [--quiet] [--global] [--sets]\n"
            "         [--csv FILE] [--record FILE.mcap] [--report-out FILE] [--trigger-hz F]\n"
            "         [--no-pixels]\n"
            "         [--backend sim|orbbec] [--orbbec-lib PATH]\n"
            "         apply the config, start secondaries then the primary, sync device clocks,\n"
            "         print one line per frame and a synchronization summary\n"
            "  run    --replay FILE.mcap [--virtual-time] [--seconds S] [run's output options]\n"
            "         play a recording back through the same pipeline, with its config: the\n"
            "         same frames, framesets, events and summary; to the end of the file unless\n"
            "         --seconds; paced to the wall clock unless --virtual-time\n"
            "  run    --hosts HOSTS.json [--seconds S] [run's output options]\n"
            "         the aggregator of a rig over several hosts: subscribe to every host's\n"
            "         node, match framesets across all their cameras; a table per host (link,\n"
            "         latency, PTP, frames, lost on the link, node drops, restarts) and a verdict\n"
            "         naming a dead node, a partition or a lossy link; real time only\n"
            "  record [run's options] -o FILE.mcap\n"
            "         run quietly and record every frame (pixels and timestamps), frameset and\n"
            "         clock event into an MCAP file (ROS 2 messages; Foxglove opens it)\n"
            "  report [--config FILE] [--seconds S] [run's options] -o report.html\n"
            "  report FILE.mcap -o report.html\n"
            "         run quietly (or replay a recording in virtual time) and draw the run over\n"
            "         time: offsets from the rig, spread, fps and drops, clocks, events; the\n"
            "         verdict and summary on top; .html (self-contained), .png, .svg or .pdf\n"
            "         (run --report-out FILE does the same after a normal run)\n"
            "  info   FILE.mcap [--chunks]\n"
            "         print a recording's devices, streams, duration, frame and drop counts and\n"
            "         verdict; exit 2 if the file is cut, damaged or not MCAP\n"
            "  recover BROKEN.mcap -o FIXED.mcap\n"
            "         write a complete file from every intact chunk of a cut or damaged\n"
            "         recording\n"
            "  export FILE.mcap --frameset N -o DIR\n"
            "         write frameset N (its number as run --sets prints it) as one PNG per\n"
            "         device and stream (depth 16-bit) and a JSON of its timestamps\n"
            "  check  FILE [--backend sim|orbbec] [--orbbec-lib PATH]\n"
            "         validate a config and print the rig it describes\n"
            "  list   [--config FILE] [--backend sim|orbbec] [--orbbec-lib PATH]\n"
            "         list the devices the backend sees\n"
            "  view   [--config FILE | --replay FILE.mcap] [--virtual-time] [--seconds S]\n"
            "         [--seed N] [--no-pixels] [--backend sim|orbbec] [--orbbec-lib PATH]\n"
            "         [--size WxH] [--screenshot FILE.png] [--keys K,K,...] [--layout FILE.json]\n"
            "         a window (SDL2) with every device's color and depth (depth in mm on the\n"
            "         legend's colormap), each labelled with serial, mode, fps, drops,\n"
            "         interference and offset from the rig; the sync scope (the last second of\n"
            "         capture instants of every device and stream on global time: a drifting or\n"
            "         silent device stands out; a silent one's tile is framed red); the verdict.\n"
            "         Keys: space pause, left/right step one frameset back/forward (paused\n"
            "         or replay), d depth only, c color only, q quit. --virtual-time advances\n"
            "         33.3 ms per drawn frame. --seconds S: close after S s of frames.\n"
            "         Test hooks, acting after --seconds S (or a replay's end), one per drawn\n"
            "         frame: --keys (space,left,right,d,c,q pushed as key events; +MS lets MS\n"
            "         ms of frames pass), then --screenshot (the window read back through the\n"
            "         renderer) and --layout (where each tile and scope row was drawn), then exit\n"
            "  node   --listen tcp://ADDR:PORT [--config FILE] [--pixels] [--seconds S]\n"
            "         [--node-id N] [--quiet] [--seed N] [--clock-sync-interval-ms MS]\n"
            "         [--backend sim|orbbec] [--orbbec-lib PATH] [--ptp-uds PATH | --no-ptp]\n"
            "         [--truth] [--batch-us N]\n"
            "         drive this host's cameras as run does and publish every frame (with\n"
            "         --pixels its pixels), clock event and device event over NNG (PUB), a\n"
            "         HEARTBEAT every 100 ms, the local ptp4l's state every second (its socket\n"
            "         --ptp-uds, default /var/run/ptp4l); until Ctrl-C unless --seconds; port 0:\n"
            "         any free port (printed). --truth (tests, benchmarks): simulated frames\n"
            "         carry their trigger sequence and true mid-exposure instant\n"
            "         --batch-us N: pack waiting messages into one NNG message, at most N us\n"
            "         after the first (default 2000, 0: one message per NNG message)\n"
            "  node   --hosts HOSTS.json --host NAME [--listen tcp://ADDR:PORT] [node's options]\n"
            "         the same, for that host of a hosts file (its config; listens on its\n"
            "         \"node\" address unless --listen)\n"
            "  node-tap tcp://ADDR:PORT [--seconds S] [--frames]\n"
            "         receive what a node publishes; one line per PTP message; --frames prints\n"
            "         one line per frame and heartbeat; at the end the counts per message type\n"
            "         and sequence gaps\n"
            "  plan   CONFIG|N -o OUT.json\n"
            "         stagger depth_delay_us so no two ToF cameras interfere; write the config\n"
            "  ptp-status [--uds PATH] [--timeout-ms N]\n"
            "         the local ptp4l's state over its management socket (default\n"
            "         /var/run/ptp4l): port state, grandmaster, offset from master, path delay\n"
            "\n"
            "Without --config, the seed's two-device config is used "
            "(configs/multi_device_sync_config.json).\n"
            "Exit status: 0 ok, 1 runtime failure or rig not synchronized, 2 usage or config "
            "error.\n");
}

int cli_load_config(const char *path, rig_config_t **out)
{
    rig_config_diag_t diag;
    rig_error_t err = path ? rig_config_load(path, out, &diag) : rig_config_default(out, &diag);
    if (err == RIG_OK)
        return CLI_OK;
    char msg[1600], shown[1600];
    rig_config_diag_format(&diag, msg, sizeof(msg));
    /* The message may quote the file's strings: escaped, they cannot forge a line. */
    fprintf(stderr, "rigsync: %s\n", rig_escape(shown, sizeof(shown), msg));
    return CLI_USAGE;
}

const char *cli_last_error(rig_context_t *ctx, char *buf, size_t len)
{
    char raw[1024];
    return rig_escape(buf, len, rig_context_last_error(ctx, raw, sizeof(raw)));
}

bool cli_same_file(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    if (strcmp(a, b) == 0)
        return true;
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

void cli_print_device_location(FILE *out, const rig_config_t *config, size_t index,
                               rig_config_part_t part)
{
    int line = 0, col = 0;
    char path[64];
    rig_config_device_location(config, index, part, &line, &col, path, sizeof(path));
    fprintf(out, "rigsync: %s:%d:%d: %s: ", rig_config_source(config), line, col, path);
}

static const char *time_mode_name(bool virtual_time)
{
    return virtual_time ? "virtual time" : "real time";
}

int cli_context_create(const cli_rig_opts_t *opts, const rig_config_t *config,
                       rig_context_t **ctx)
{
    rig_context_options_t co;
    rig_context_options_init(&co);
    co.backend = opts->backend;
    co.config = config;
    co.time_mode = opts->virtual_time ? RIG_TIME_VIRTUAL : RIG_TIME_REAL;
    co.seed_set = opts->seed_set;
    co.seed = opts->seed;
    co.pixels = opts->pixels;
    co.library = opts->library;
    co.replay_path = opts->replay_path;
    co.hosts = opts->hosts;
    char detail[1024] = "";
    co.error_detail = detail;
    co.error_detail_len = sizeof(detail);
    rig_error_t err = rig_context_create(&co, ctx);
    if (err == RIG_ERROR_NOT_FOUND && !detail[0]) {
        fprintf(stderr, "rigsync: unknown backend \"%s\"; available backends: sim, orbbec, replay\n",
                opts->backend);
        return CLI_USAGE;
    }
    if (err != RIG_OK) {
        char shown[sizeof(detail) * 4]; /* the vendor's words: escaped */
        fprintf(stderr, "rigsync: the %s backend cannot start: %s\n", opts->backend,
                rig_escape(shown, sizeof(shown), detail[0] ? detail : rig_strerror(err)));
        return CLI_RUNTIME;
    }
    return CLI_OK;
}

int cli_rig_open(const cli_rig_opts_t *opts, rig_config_t *config, FILE *info, cli_rig_t *rig)
{
    memset(rig, 0, sizeof(*rig));
    rig->config = config;
    int rc = cli_context_create(opts, config, &rig->ctx);
    if (rc != CLI_OK)
        return rc;
    rig_error_t err;
    size_t n = rig_config_device_count(config);
    rig->devices = calloc(n, sizeof(*rig->devices));
    if (!rig->devices) {
        fprintf(stderr, "rigsync: out of memory\n");
        return CLI_RUNTIME;
    }
    if (info)
        fprintf(info, "rigsync: backend %s (%s), config %s, %zu devices\n",
                rig_context_backend_name(rig->ctx), time_mode_name(opts->virtual_time),
                rig_config_source(config), n);
    char detail[1024];
    /* Every device is found and every config checked before anything is written, so that a
     * mistake in device#3 leaves devices #0 to #2 as they were. */
    for (size_t i = 0; i < n; i++) {
        const char *serial = rig_config_device_serial(config, i);
        bool may_wait = opts->wait_absent;
        if (may_wait && strcmp(rig_context_backend_name(rig->ctx), "sim") == 0) {
            const rig_sim_spec_t *sim = rig_config_sim(config);
            may_wait = false;
            for (size_t k = 0; k < sim->device_count; k++)
                may_wait |= strcmp(sim->devices[k].serial, serial) == 0;
        }
        err = may_wait ? rig_device_open_expected(rig->ctx, serial, &rig->devices[i])
                       : rig_device_open(rig->ctx, serial, &rig->devices[i]);
        if (err == RIG_OK && info && !rig_device_present(rig->devices[i])) {
            fprintf(info, "rigsync: device#%zu %s is not connected (present:", i, serial);
            size_t np = 0;
            rig_context_device_count(rig->ctx, &np);
            for (size_t k = 0; k < np; k++) {
                rig_device_info_t di;
                if (rig_context_device_info(rig->ctx, k, &di) == RIG_OK)
                    fprintf(info, "%s %s", k ? "," : "", di.serial);
            }
            fprintf(info, "%s): waiting for it; it joins the framesets when it appears\n",
                    np ? "" : " none");
        }
        if (err != RIG_OK) {
            cli_print_device_location(stderr, config, i, RIG_CONFIG_PART_SERIAL);
            fprintf(stderr, "%s. ", cli_last_error(rig->ctx, detail, sizeof(detail)));
            if (err == RIG_ERROR_NOT_FOUND) {
                fprintf(stderr, "Correct the serial number in the config, or connect that "
                                "camera (rigsync list shows what is present).\n");
                /* On the simulated rig the config describes the rig: a wrong serial is the
                 * config's fault. With real cameras it is a runtime condition (unplugged). */
                return strcmp(rig_context_backend_name(rig->ctx), "sim") == 0 ? CLI_USAGE
                                                                                : CLI_RUNTIME;
            }
            fprintf(stderr, "\n");
            return CLI_RUNTIME;
        }
        rig->device_count = i + 1;
    }
    for (size_t i = 0; i < n; i++) {
        rig_sync_config_t sync;
        rig_config_device_sync(config, i, &sync);
        err = rig_device_check_sync_config(rig->devices[i], &sync);
        if (err != RIG_OK) {
            cli_print_device_location(stderr, config, i, RIG_CONFIG_PART_MODE);
            fprintf(stderr, "%s. Pick one of those modes for this device.\n",
                    cli_last_error(rig->ctx, detail, sizeof(detail)));
            return err == RIG_ERROR_UNSUPPORTED ? CLI_USAGE : CLI_RUNTIME;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const char *serial = rig_config_device_serial(config, i);
        rig_sync_config_t sync;
        rig_config_device_sync(config, i, &sync);
        bool written = false;
        err = rig_device_set_sync_config(rig->devices[i], &sync, &written);
        if (err != RIG_OK) {
            cli_print_device_location(stderr, config, i, RIG_CONFIG_PART_MODE);
            fprintf(stderr, "%s\n", cli_last_error(rig->ctx, detail, sizeof(detail)));
            return CLI_RUNTIME;
        }
        if (info && !rig_device_present(rig->devices[i])) {
            fprintf(info, "rigsync: device#%zu %s (not connected): %s: written when it appears\n",
                    i, serial, rig_sync_mode_name(sync.mode));
        } else if (info) {
            rig_device_info_t di;
            rig_device_get_info(rig->devices[i], &di);
            char model[sizeof(di.model) * 4];
            fprintf(info,
                    "rigsync: device#%zu %s (%s): %s, depth delay %d us, color delay %d us, "
                    "trigger-to-image %d us, trigger out %s (delay %d us), %d frame(s) per "
                    "trigger: %s\n",
                    i, serial, rig_escape(model, sizeof(model), di.model),
                    rig_sync_mode_name(sync.mode), sync.depth_delay_us,
                    sync.color_delay_us, sync.trigger_to_image_delay_us,
                    sync.trigger_out_enable ? "on" : "off", sync.trigger_out_delay_us,
                    sync.frames_per_trigger, written ? "written" : "unchanged, not rewritten");
        }
    }
    return CLI_OK;
}

void cli_rig_close(cli_rig_t *rig)
{
    for (size_t i = 0; i < rig->device_count; i++)
        rig_device_close(rig->devices[i]);
    free(rig->devices);
    rig_context_destroy(rig->ctx);
    memset(rig, 0, sizeof(*rig));
}

/* ------------------------------------------------------------------------------------------ */

static int cmd_list(int argc, char **argv)
{
    cli_rig_opts_t o = {.backend = "sim", .virtual_time = true, .pixels = false};
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            o.config_path = argv[++i];
        else if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc)
            o.backend = argv[++i];
        else if (strcmp(argv[i], "--orbbec-lib") == 0 && i + 1 < argc)
            o.library = argv[++i];
        else {
            fprintf(stderr, "rigsync list: unknown option \"%s\"\n", argv[i]);
            cli_usage(stderr);
            return CLI_USAGE;
        }
    }
    rig_config_t *cfg = NULL;
    int rc = cli_load_config(o.config_path, &cfg);
    if (rc != CLI_OK)
        return rc;
    rig_context_t *ctx = NULL;
    rc = cli_context_create(&o, cfg, &ctx);
    if (rc != CLI_OK) {
        rig_config_destroy(cfg);
        return rc;
    }
    size_t n = 0;
    rig_context_device_count(ctx, &n);
    printf("%zu device(s) on backend %s:\n", n, rig_context_backend_name(ctx));
    if (n == 0 && strcmp(rig_context_backend_name(ctx), "sim") != 0)
        printf("  No camera was found. Likely causes: this user may not open the USB device "
               "(install the vendor's udev rules, then unplug and replug the camera); the cable "
               "or port (use a USB 3 port and a data cable); another program holds the camera "
               "(close the vendor's viewer and other rigsync runs).\n");
    for (size_t i = 0; i < n; i++) {
        rig_device_info_t info;
        if (rig_context_device_info(ctx, i, &info) != RIG_OK)
            continue;
        char modes[256];
        rig_mode_bitmap_format(info.supported_modes, modes, sizeof(modes));
        /* Names from the backend (a camera's firmware): escaped, they cannot forge a line. */
        char serial[sizeof(info.serial) * 4], model[sizeof(info.model) * 4];
        printf("  %-16s %-16s modes 0x%02X: %s\n", rig_escape(serial, sizeof(serial), info.serial),
               rig_escape(model, sizeof(model), info.model), info.supported_modes, modes);
    }
    rig_context_destroy(ctx);
    rig_config_destroy(cfg);
    return CLI_OK;
}

static int cmd_check(int argc, char **argv)
{
    cli_rig_opts_t o = {.backend = "sim", .virtual_time = true, .pixels = false};
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc)
            o.backend = argv[++i];
        else if (strcmp(argv[i], "--orbbec-lib") == 0 && i + 1 < argc)
            o.library = argv[++i];
        else if (argv[i][0] == '-' || o.config_path) {
            fprintf(stderr, "rigsync check: unexpected argument \"%s\"\n", argv[i]);
            cli_usage(stderr);
            return CLI_USAGE;
        } else
            o.config_path = argv[i];
    }
    if (!o.config_path) {
        fprintf(stderr, "rigsync check: which config? usage: rigsync check FILE\n");
        return CLI_USAGE;
    }
    rig_config_t *cfg = NULL;
    int rc = cli_load_config(o.config_path, &cfg);
    if (rc != CLI_OK)
        return rc;

    /* The file is valid on its own; now check it against the rig it would run on. */
    cli_rig_t rig;
    rc = cli_rig_open(&o, cfg, NULL, &rig);
    if (rc == CLI_OK) {
        size_t n = rig_config_device_count(cfg);
        printf("%s: valid, %zu devices\n", rig_config_source(cfg), n);
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_stream_profile_t p = rig_config_stream_profile(cfg, (rig_stream_t)s);
            printf("  %s stream: %ux%u @ %u fps, %s\n", rig_stream_name((rig_stream_t)s), p.width,
                   p.height, p.fps, rig_format_name(p.format));
        }
        uint64_t interval = rig_config_clock_sync_interval_ms(cfg);
        if (interval)
            printf("  host clock sync: every %llu ms\n", (unsigned long long)interval);
        else
            printf("  host clock sync: once at start\n");
        size_t *order = calloc(n, sizeof(*order));
        rig_sync_config_t *syncs = calloc(n, sizeof(*syncs));
        for (size_t i = 0; i < n && syncs; i++)
            rig_config_device_sync(cfg, i, &syncs[i]);
        for (size_t i = 0; i < n; i++) {
            rig_device_info_t info;
            rig_device_get_info(rig.devices[i], &info);
            rig_sync_config_t *c = &syncs[i];
            char serial[sizeof(info.serial) * 4], model[sizeof(info.model) * 4];
            printf("  device#%zu %s (%s): %s, depth delay %d us, color delay %d us, "
                   "trigger-to-image %d us, trigger out %s (delay %d us), frames per trigger %d",
                   i, rig_escape(serial, sizeof(serial), info.serial),
                   rig_escape(model, sizeof(model), info.model), rig_sync_mode_name(c->mode),
                   c->depth_delay_us,
                   c->color_delay_us, c->trigger_to_image_delay_us,
                   c->trigger_out_enable ? "on" : "off", c->trigger_out_delay_us,
                   c->frames_per_trigger);
            int src = rig_config_pulse_source(cfg, i);
            if (src >= 0)
                printf(", sync-in from device#%d", src);
            printf("\n");
        }
        if (order && syncs) {
            rig_mode_start_order(syncs, n, order);
            printf("  start order:");
            for (size_t i = 0; i < n; i++)
                printf(" device#%zu", order[i]);
            printf("\n");
        }
        cli_warn_interference(cfg, stdout);
        for (size_t i = 0; i < n; i++) {
            char why[512];
            if (syncs && rig_mode_needs_pulses(syncs[i].mode) &&
                rig_config_explain_no_pulses(cfg, i, why, sizeof(why)))
                printf("  warning: %s\n", why);
        }
        free(order);
        free(syncs);
        cli_rig_close(&rig);
    } else {
        cli_rig_close(&rig);
    }
    rig_config_destroy(cfg);
    return rc;
}

/* -h or --help among a command's arguments. */
static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    bool known = strcmp(cmd, "run") == 0 || strcmp(cmd, "record") == 0 || strcmp(cmd, "check") == 0 ||
                 strcmp(cmd, "list") == 0 || strcmp(cmd, "info") == 0 || strcmp(cmd, "recover") == 0 ||
                 strcmp(cmd, "export") == 0 || strcmp(cmd, "report") == 0 ||
                 strcmp(cmd, "view") == 0 || strcmp(cmd, "node") == 0 ||
                 strcmp(cmd, "node-tap") == 0;
    if (known && wants_help(argc - 2, argv + 2)) { /* plan has a help of its own */
        cli_usage(stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "run") == 0)
        return cli_run(argc - 2, argv + 2);
    if (strcmp(cmd, "record") == 0)
        return cli_record(argc - 2, argv + 2);
    if (strcmp(cmd, "report") == 0)
        return cli_report(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "plan") == 0)
        return cli_plan(argc - 2, argv + 2);
    if (strcmp(cmd, "info") == 0)
        return cli_info(argc - 2, argv + 2);
    if (strcmp(cmd, "recover") == 0)
        return cli_recover(argc - 2, argv + 2);
    if (strcmp(cmd, "export") == 0)
        return cli_export(argc - 2, argv + 2);
    if (strcmp(cmd, "view") == 0)
        return cli_view(argc - 2, argv + 2);
    if (strcmp(cmd, "node") == 0)
        return cli_node(argc - 2, argv + 2);
    if (strcmp(cmd, "node-tap") == 0)
        return cli_node_tap(argc - 2, argv + 2);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc - 2, argv + 2);
    if (strcmp(cmd, "ptp-status") == 0)
        return cli_ptp_status(argc - 2, argv + 2);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        cli_usage(stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("rigsync %d.%d.%d\n", RIGSYNC_VERSION_MAJOR, RIGSYNC_VERSION_MINOR,
               RIGSYNC_VERSION_PATCH);
        return CLI_OK;
    }
    fprintf(stderr, "rigsync: unknown command \"%s\"\n", cmd);
    cli_usage(stderr);
    return CLI_USAGE;
}

int main(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    /* Output that did not reach stdout (a full disk, a closed pipe) is a failure, said. */
    bool failed = ferror(stdout) != 0;
    int err = 0;
    if (fflush(stdout) != 0) {
        failed = true;
        err = errno;
    }
    if (failed) {
        fprintf(stderr, "rigsync: writing the output to stdout failed%s%s; it is incomplete\n",
                err ? ": " : "", err ? strerror(err) : "");
        if (rc == CLI_OK)
            rc = CLI_RUNTIME;
    }
    return rc;
}
