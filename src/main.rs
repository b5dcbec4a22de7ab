//! `bbs`: the command line. Parses flags, sets up logging, and calls into the library; maps
//! errors to exit codes (0 ok, 1 runtime failure, 2 bad configuration or usage). No domain
//! logic lives here.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use haven::config::{Config, LogFormat, Overrides};

/// The end of `bbs --help` and of the manual page.
const AFTER_HELP: &str = "\
Exit status: 0 ok, 1 a runtime failure or a refused admin change, 2 a bad configuration or \
command line.

Signals (serve): SIGTERM or SIGINT stop the server after telling open sessions; SIGHUP reads \
bbs.toml and the data dir's texts again (what can change while running applies at once). Under \
systemd (NOTIFY_SOCKET set), serve says READY=1 once its port answers.

Environment: BBS_CONFIG names the config file; BBS_DB_PASSPHRASE gives the database passphrase \
(storage.encryption = \"passphrase\"); RUST_LOG filters the logs; NO_COLOR turns colour off.

Files in the data dir: haven.db (the database), db.key (its key), host_ed25519_key, \
sysop-claim-code (the claim code, when serve had no terminal to show it on), bbs.lock (held by \
every bbs process using the data dir) and backups/ (scheduled backups). bbs.toml documents \
every setting.";

#[derive(Parser)]
#[command(
    name = "bbs",
    version,
    about = "Haven: a bulletin board for a peer-support community, reached with ssh",
    after_long_help = AFTER_HELP
)]
struct Cli {
    /// Config file (default: $BBS_CONFIG, else ./bbs.toml if it exists, else built-in defaults).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (overrides server.data_dir).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// How log lines on stderr are written (overrides log.format).
    #[arg(long, global = true, value_name = "FORMAT")]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the SSH server.
    Serve {
        /// Address to listen on (overrides server.listen), e.g. 0.0.0.0:2222.
        #[arg(long, value_name = "ADDR:PORT")]
        listen: Option<SocketAddr>,
    },
    /// Run the board on this terminal as the sysop (with or without the server running).
    Console {
        /// Create the board's database if the data directory has none (otherwise refused, so
        /// a mistyped or missing --data-dir never opens an empty board).
        #[arg(long)]
        new: bool,
    },
    /// Validate the configuration and exit.
    Check,
    /// Print a shell completion script, e.g. `bbs completions bash > /etc/bash_completion.d/bbs`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `bbs man > /usr/local/share/man/man1/bbs.1`.
    Man {
        /// Write bbs.1 and a page for every subcommand (bbs-serve.1, …) into DIR instead.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Administration commands.
    Admin {
        #[command(subcommand)]
        command: Admin,
    },
}

#[derive(Subcommand)]
enum Admin {
    /// List members.
    Users,
    /// Show a member: role, status, keys.
    Show { handle: String },
    /// Create a member for a public key (same handle rules as sign-up).
    AddUser {
        handle: String,
        /// File with the member's OpenSSH public key.
        #[arg(long, value_name = "KEYFILE")]
        key: PathBuf,
        /// member, professional, moderator or sysop.
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Create a sysop account for a public key.
    AddSysop {
        /// File with the sysop's public key (e.g. ~/.ssh/id_ed25519.pub).
        #[arg(long, value_name = "KEYFILE")]
        key: PathBuf,
        /// The sysop's handle.
        #[arg(long, default_value = "sysop-1")]
        handle: String,
    },
    /// Change a member's role (member, professional, moderator, sysop); takes effect at once.
    Role {
        handle: String,
        role: String,
        #[arg(long, default_value = "changed by a sysop")]
        reason: String,
    },
    /// Ban a member (their sessions close at once).
    Ban {
        handle: String,
        /// How long: 30m, 12h, 7d, 2w. Without it, until lifted.
        #[arg(long = "for", value_name = "DURATION")]
        duration: Option<String>,
        #[arg(long)]
        reason: String,
    },
    /// Lift a silence (the member can post again at once).
    Unsilence {
        handle: String,
        #[arg(long, default_value = "lifted by a sysop")]
        reason: String,
    },
    /// Lift a ban.
    Unban {
        handle: String,
        #[arg(long, default_value = "lifted by a sysop")]
        reason: String,
    },
    /// Add a public key to a member.
    AddKey {
        handle: String,
        #[arg(long, value_name = "KEYFILE")]
        key: PathBuf,
    },
    /// Import an authorized_keys file: one member per line, named by the key's comment.
    ImportKeys { file: PathBuf },
    /// Write an online backup of the live database to DEST (a new file, encrypted as the
    /// database is) and check it.
    Backup { dest: PathBuf },
    /// Check a backup file: open it with this server's key, verify every page, count rows.
    VerifyBackup { file: PathBuf },
    /// Put a backup in place of the database: checks FILE with this server's key first, is
    /// refused while a server or console runs on the data dir, and keeps the database it
    /// replaces as haven.db.before-restore-TIME.
    Restore { file: PathBuf },
    /// Delete audit-log and security-event rows older than retention.audit_days.
    Purge,
    /// Boards: list, add, rename, move, archive, and their settings.
    Boards {
        #[command(subcommand)]
        command: haven::admin::boards::BoardsCmd,
    },
    /// Make a one-time invite code (for registration mode "invite").
    Invite {
        /// Days the code stays valid, 1-365 (default: registration.invite_days).
        #[arg(long, value_parser = clap::value_parser!(i64).range(haven::config::INVITE_DAYS.min..=haven::config::INVITE_DAYS.max))]
        days: Option<i64>,
    },
    /// Read the audit log, newest first.
    Audit {
        #[arg(long)]
        actor: Option<String>,
        #[arg(long)]
        target: Option<String>,
        #[arg(long)]
        action: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
}

/// Errors that mean "fix your configuration or command line" (exit code 2).
#[derive(Debug)]
struct UsageError(String);
impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UsageError {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bbs: {e:#}");
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn load_config(cli: &Cli, listen: Option<SocketAddr>) -> Result<Config> {
    let overrides = Overrides {
        listen,
        data_dir: cli.data_dir.clone(),
    };
    Config::load(cli.config.as_deref(), &overrides).map_err(|e| UsageError(e.to_string()).into())
}

/// Writes to stdout, reporting a failure as an error rather than a panic. A reader that has
/// gone (`bbs man | head`) took what it wanted.
fn print_bytes(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn run(cli: Cli) -> Result<()> {
    // Made from the command line's own definition; they need no settings.
    match &cli.command {
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "bbs", &mut script);
            return print_bytes(&script).context("writing the completion script");
        }
        Command::Man { out: Some(dir) } => {
            clap_mangen::generate_to(Cli::command(), dir)
                .with_context(|| format!("writing manual pages to {}", dir.display()))?;
            return Ok(());
        }
        Command::Man { out: None } => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            return print_bytes(&page).context("writing the manual page");
        }
        _ => {}
    }
    let listen = match &cli.command {
        Command::Serve { listen } => *listen,
        _ => None,
    };
    // Logging starts once the settings are known; an error in them is said on stderr as is.
    let config = load_config(&cli, listen)?;
    haven::logging::init(cli.log_format.unwrap_or(config.log_format));
    match &cli.command {
        Command::Completions { .. } | Command::Man { .. } => Ok(()),
        Command::Check => {
            match &config.source {
                Some(p) => println!("{}: ok", p.display()),
                None => println!("no config file: built-in defaults are ok"),
            }
            Ok(())
        }
        Command::Serve { .. } => {
            // A SIGHUP reads the same file again, with the same flags over it.
            let overrides = Overrides {
                listen,
                data_dir: cli.data_dir.clone(),
            };
            runtime()?.block_on(serve(config, cli.config.clone(), overrides))
        }
        Command::Console { new } => {
            let db = config.data_dir.join(haven::boot::DB_FILE);
            if !new && !db.exists() {
                return Err(UsageError(format!(
                    "there is no board in {} (no {}). Give the data directory of your board \
                     with --data-dir or --config, or add --new to start a new board there.",
                    config.data_dir.display(),
                    haven::boot::DB_FILE
                ))
                .into());
            }
            runtime()?.block_on(async {
                let opened = haven::boot::open(config, false)?;
                let shutdown = CancellationToken::new();
                let background =
                    tokio::spawn(opened.service.clone().run_background(shutdown.clone()));
                let ran = haven::console::run(opened.service.clone(), shutdown.clone()).await;
                shutdown.cancel();
                let _ = background.await;
                opened.service.finish_background();
                ran?;
                Ok(())
            })
        }
        Command::Admin {
            command: Admin::VerifyBackup { file },
        } => {
            print!("{}", haven::admin::verify_backup(&config, file)?);
            Ok(())
        }
        Command::Admin {
            command: Admin::Restore { file },
        } => {
            print!("{}", haven::admin::restore(&config, file)?);
            Ok(())
        }
        Command::Admin { command } => {
            let opened = haven::boot::open(config, false)?;
            let out = match command {
                Admin::Users => haven::admin::users(&opened.service)?,
                Admin::Show { handle } => haven::admin::show(&opened.service, handle)?,
                Admin::AddUser { handle, key, role } => {
                    let Some(role) = haven::domain::Role::parse(role) else {
                        return Err(UsageError(format!("unknown role {role:?}")).into());
                    };
                    haven::admin::add_user(&opened.service, handle, key, role)?
                }
                Admin::AddSysop { key, handle } => {
                    haven::admin::add_sysop(&opened.service, key, handle)?
                }
                Admin::Role {
                    handle,
                    role,
                    reason,
                } => haven::admin::role(&opened.service, handle, role, reason)?,
                Admin::Ban {
                    handle,
                    duration,
                    reason,
                } => haven::admin::ban(&opened.service, handle, duration.as_deref(), reason)?,
                Admin::Unsilence { handle, reason } => {
                    let u = opened.service.unsilence(None, handle, reason)?;
                    format!("{} can post again\n", haven::sanitize::line(&u.handle))
                }
                Admin::Unban { handle, reason } => {
                    haven::admin::unban(&opened.service, handle, reason)?
                }
                Admin::AddKey { handle, key } => {
                    haven::admin::add_key(&opened.service, handle, key)?
                }
                Admin::ImportKeys { file } => {
                    let (out, clean) = haven::admin::import_keys(&opened.service, file)?;
                    print!("{out}");
                    if !clean {
                        return Err(anyhow::anyhow!("some lines were refused"));
                    }
                    return Ok(());
                }
                Admin::Boards { command } => haven::admin::boards::run(&opened.service, command)?,
                Admin::Backup { dest } => haven::admin::backup(&opened.service, dest)?,
                Admin::VerifyBackup { file } => {
                    haven::admin::verify_backup(&opened.service.config(), file)?
                }
                // Handled above, before this process holds the data dir's lock.
                Admin::Restore { .. } => {
                    return Err(anyhow::anyhow!("restore must run without the board open"));
                }
                Admin::Purge => haven::admin::purge(&opened.service)?,
                Admin::Invite { days } => {
                    let days = days.unwrap_or(opened.service.config().invite_days);
                    haven::admin::invite(&opened.service, days)?
                }
                Admin::Audit {
                    actor,
                    target,
                    action,
                    limit,
                } => haven::admin::audit(
                    &opened.service,
                    actor.as_deref(),
                    target.as_deref(),
                    action.as_deref(),
                    *limit,
                )?,
            };
            print!("{out}");
            Ok(())
        }
    }
}

async fn serve(mut config: Config, file: Option<PathBuf>, overrides: Overrides) -> Result<()> {
    // SIGHUP reloads, from the very start: its default would end the process.
    #[cfg(unix)]
    let hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .context("listening for SIGHUP")?;
    let started = config.clone();
    let listen = config.listen;
    let data_dir = config.data_dir.clone();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    // The address actually bound (port 0 picks a free one), for hints shown to members.
    config.listen = listener.local_addr().unwrap_or(listen);
    let local = config.listen;
    let signal = on_signal();
    let opened = haven::boot::open(config, true)?;
    let host_key = haven::server::hostkey::load_or_create(&data_dir)?;
    println!("Haven is listening on {local}");
    println!(
        "Host key fingerprint: {}",
        haven::server::hostkey::fingerprint(&host_key)
    );
    println!("Data dir: {}", data_dir.display());
    // The claim code is a secret: a terminal shows it; anywhere else (the journal, a file
    // stdout is sent to) gets only the path of a file that holds it, readable by this user.
    let claim_file = haven::boot::claim_file(&data_dir);
    match &opened.claim_code {
        Some(code) if std::io::stdout().is_terminal() => {
            haven::boot::remove_claim_file(&data_dir)?;
            println!();
            println!("No sysop yet. Sysop claim code (shown once): {code}");
            println!(
                "Connect with `ssh -p {} {}` and enter it while signing up.",
                local.port(),
                local.ip()
            );
            println!();
        }
        Some(code) => {
            haven::boot::write_claim_file(&data_dir, code)?;
            println!(
                "No sysop yet. The sysop claim code is in {}",
                claim_file.display()
            );
            tracing::info!(file = %claim_file.display(), "no sysop yet: the sysop claim code is in this file");
        }
        None => haven::boot::remove_claim_file(&data_dir)?,
    }
    let shutdown = CancellationToken::new();
    let service = opened.service;
    let background = tokio::spawn(service.clone().run_background(shutdown.clone()));
    #[cfg(unix)]
    tokio::spawn(haven::reload::on_hangup(
        hangups,
        service.clone(),
        started,
        file,
        overrides,
        shutdown.clone(),
    ));
    // Scheduled backups and the daily retention purge; a backup under way is finished first.
    let maintenance = tokio::spawn(service.clone().run_maintenance(shutdown.clone()));
    tokio::spawn({
        let shutdown = shutdown.clone();
        async move {
            signal.await;
            tracing::info!("shutting down: telling sessions");
            ready("STOPPING=1");
            shutdown.cancel();
        }
    });
    // The port is bound and the board open: a connection from now on is answered.
    ready("READY=1");
    haven::server::run(listener, service.clone(), host_key, shutdown.clone()).await;
    shutdown.cancel();
    let _ = background.await;
    let _ = maintenance.await;
    // Sessions are gone: the last read marks they queued are written before the store closes.
    service.finish_background();
    tracing::info!("stopped");
    Ok(())
}

/// Tells systemd (`Type=notify`) how the server is, when it asked; a failure is only logged.
fn ready(state: &str) {
    #[cfg(unix)]
    if let Err(e) = haven::server::notify::notify(state) {
        tracing::warn!(error = %e, state, "cannot tell the service manager");
    }
}

/// Waits for SIGINT or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled, so a signal that comes right after start-up is not lost (which
/// would kill the process with no drain).
fn on_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let signals = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        );
        async move {
            match signals {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
