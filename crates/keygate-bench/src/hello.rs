//! The ceiling keygate is measured against: an actix-web server that answers every request,
//! whatever its method, path and body, with `200 ok`, on as many workers as keygate uses
//! (actix-web's default: one per core).

use actix_web::{App, HttpResponse, HttpServer, web};

pub fn serve(listen: std::net::SocketAddr) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(|| {
            // The body is read, as keygate reads it, so that the connection stays open.
            App::new().default_service(web::to(|_body: web::Bytes| async {
                HttpResponse::Ok().body("ok")
            }))
        })
        .bind(listen)?
        .run()
        .await
    })?;
    Ok(())
}
