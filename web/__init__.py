"""The hall web server (`mpp serve`): the citizen's live ticket page, the phone hall board,
"Beri tahu saya" notifications and the open API /api/v1. A face over the headless core."""
