"""The sync protocol under /api/v1/sync/: pairing, handshake, push and pull."""

from ninja import Router

from skrivbord.sync.api_pairing import router as pairing_router

router = Router(tags=["sync"])
router.add_router("", pairing_router)
