"""Image-shape arithmetic shared by the DCGAN generator and discriminator."""


def num_upsamplings(image_shape):
    """How many stride-2 stages lead from a small base grid to `image_shape`.

    Halves the side while it stays even and at least 4: 28 -> 7 (2 stages),
    32 -> 4 (3 stages), 64 -> 4 (4 stages).
    """
    height, width = image_shape[:2]
    if height != width:
        raise ValueError(f"DCGAN needs square images, got {height}x{width}.")
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels), got {image_shape}.")
    stages, side = 0, height
    while side % 2 == 0 and side // 2 >= 4:
        side //= 2
        stages += 1
    if stages == 0:
        raise ValueError(
            f"DCGAN cannot reach {height}x{width} by doubling a grid of side >= 4; "
            "use a side such as 28, 32 or 64.")
    return stages
