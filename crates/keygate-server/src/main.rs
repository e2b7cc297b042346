//! `keygate`: serve, administer, or probe a keygate gateway.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use keygate_server::admin::{self, AdminCommand};
use keygate_server::settings::{Overrides, Settings};
use keygate_server::{healthcheck, http, runtime, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "keygate",
    version,
    about = "A self-hosted access-key gateway speaking AWS IAM and Outscale OSC"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Common {
    /// A TOML configuration file (see config/example.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory for the database, the at-rest key and root-credentials.json.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gateway.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Address to listen on, e.g. 127.0.0.1:8470.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Operator commands on accounts and the store; they work while a server runs on the same
    /// data directory.
    Admin {
        #[command(flatten)]
        common: Common,
        /// Create the data directory and database if they do not exist (otherwise refused, so
        /// that a mistyped --data-dir does not silently start an empty store).
        #[arg(long)]
        create: bool,
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Exit 0 when the server answers /healthz (over TLS when server.tls_cert_file is set).
    Healthcheck {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Address of the server; default: server.listen from the configuration.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keygate: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { common, listen } => {
            let settings = Settings::load(&Overrides {
                config_file: common.config,
                data_dir: common.data_dir,
                listen,
            })?;
            telemetry::init(&settings.log);
            let listener = http::bind(settings.server.listen)?;
            let metrics_listener = settings.server.metrics_listen.map(http::bind).transpose()?;
            let metrics = Arc::new(keygate_server::metrics::Metrics::new()?);
            let service = runtime::open_measured_service(&settings, Some(metrics.clone()))?;
            runtime::bootstrap(&service, &settings)?;
            actix_web::rt::System::new().block_on(http::serve(
                Arc::new(service),
                &settings,
                listener,
                metrics,
                metrics_listener,
            ))
        }
        Command::Admin {
            common,
            create,
            command,
        } => {
            let settings = Settings::load(&Overrides {
                config_file: common.config,
                data_dir: common.data_dir,
                listen: None,
            })?;
            telemetry::init(&settings.log);
            let printed = admin::run(command, &settings, create)?;
            if !printed.is_empty() {
                println!("{printed}");
            }
            Ok(())
        }
        Command::Healthcheck { config, listen } => {
            let settings = Settings::load(&Overrides {
                config_file: config,
                data_dir: None,
                listen,
            })?;
            let tls = !settings.server.tls_cert_file.as_os_str().is_empty();
            healthcheck::check(settings.server.listen, tls)
        }
    }
}
