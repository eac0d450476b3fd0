//! `/api/v1/media`: upload, list and listen to recordings. No SQL here: the store lists, the upload
//! and the library import, and the file is served as stored.

use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::extract::{Json, Path, Query};
use crate::media::MediaLibrary;
use crate::model::said;
use crate::model::{Category, Media};
use crate::store::{Store, media};
use crate::web::auth::*;
use crate::web::error::{ApiError, AppError};
use crate::web::upload::{self, Uploads};

/// Filter of the media list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only this category.
    category: Option<Category>,
}

/// The form of an upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documents the multipart body; the handler streams it field by field.
pub struct UploadForm {
    /// The recording (MP3, M4A, OGG, Opus, FLAC, WAV).
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// Title (default: the file name).
    title: Option<String>,
    /// Category (default `bulletin`).
    category: Option<Category>,
}

/// The result of an upload.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Uploaded {
    /// The library entry.
    media: Media,
    /// The same content was already in the library; this is the existing entry.
    duplicate: bool,
}

/// List recordings, newest first.
#[utoipa::path(get, path = "/media", params(ListQuery), tag = "media",
    responses((status = 200, body = [Media]), (status = 401, body = super::ErrorBody)))]
pub async fn list(
    State(store): State<Store>,
    _: Api<CanView>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Media>>, ApiError> {
    Ok(Json(
        store.run(move |c| Ok(media::list(c, q.category)?)).await?,
    ))
}

/// Upload a recording. The body is streamed to disk under the size limit, checked, measured
/// and stored; the answer carries its true duration and loudness.
#[utoipa::path(post, path = "/media", tag = "media",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses(
        (status = 201, body = Uploaded), (status = 200, description = "Already in the library", body = Uploaded),
        (status = 413, body = super::ErrorBody), (status = 415, description = "Not audio, or silent", body = super::ErrorBody)))]
pub async fn upload(
    State(uploads): State<Uploads>,
    user: Api<CanEdit>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let (imported, _) = upload::receive(&uploads, form?, &user.authed.user.name)
        .await?
        .require_file()?;
    let status = if imported.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let body = Uploaded {
        media: imported.media,
        duplicate: imported.duplicate,
    };
    Ok((status, Json(body)).into_response())
}

/// One recording.
#[utoipa::path(get, path = "/media/{id}", tag = "media", params(("id" = i64, Path)),
    responses((status = 200, body = Media), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(store): State<Store>,
    _: Api<CanView>,
    Path(id): Path<i64>,
) -> Result<Json<Media>, ApiError> {
    find(&store, id).await.map(Json)
}

async fn find(store: &Store, id: i64) -> Result<Media, ApiError> {
    store
        .run(move |c| Ok(media::get(c, id)?))
        .await?
        .ok_or_else(|| {
            ApiError(AppError::NotFound(said!(
                "không có bản ghi {id}",
                "no recording {id}"
            )))
        })
}

/// The recording's audio, with byte ranges so players can seek.
#[utoipa::path(get, path = "/media/{id}/audio", tag = "media", params(("id" = i64, Path)),
    responses((status = 200, description = "The audio file", content_type = "audio/*"), (status = 206, description = "A byte range"), (status = 404, body = super::ErrorBody)))]
pub async fn audio(
    State(store): State<Store>,
    State(library): State<MediaLibrary>,
    _: Api<CanView>,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Response, ApiError> {
    let m = find(&store, id).await?;
    let path = library.path_of(&m);
    let res = ServeFile::new(path)
        .oneshot(req)
        .await
        .map_err(|e| ApiError(AppError::Internal(e.to_string())))?;
    if res.status() == StatusCode::NOT_FOUND {
        return Err(ApiError(AppError::NotFound(said!(
            "tệp của bản ghi {id} không còn trên đĩa",
            "the file of recording {id} is missing from disk"
        ))));
    }
    Ok(res.map(Body::new))
}
