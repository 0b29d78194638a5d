import numpy as np
import pytest

from tests.data.conftest import ramp_frames
from zoo.data import ucf101
from zoo.data.frame_sets import FrameSetBatches, frame_selection_sets
from zoo.data.ucf101 import FrameCache, find_clips, sample_frame_set, split_clips
from zoo.data.video import CorruptVideoError, read_frames, square_resize, write_video


@pytest.mark.parametrize("suffix", [".avi", ".mp4", ".gif"])
def test_every_container_decodes_to_rgb_frames(tmp_path, suffix):
    frames = ramp_frames(12)
    decoded = read_frames(write_video(tmp_path / f"clip{suffix}", frames))
    assert decoded.shape == (12, 48, 64, 3) and decoded.dtype == np.uint8
    assert np.abs(decoded.astype(int).mean(axis=(1, 2, 3)) - frames.mean(axis=(1, 2, 3))).max() < 8


def test_corrupt_and_missing_videos_are_clear_errors(tmp_path):
    (tmp_path / "broken.avi").write_bytes(b"RIFF not really a video")
    with pytest.raises(CorruptVideoError, match="Could not decode any frame"):
        read_frames(tmp_path / "broken.avi")
    with pytest.raises(FileNotFoundError, match="not found"):
        read_frames(tmp_path / "missing.mp4")


def test_square_resize_centre_crops(rng):
    frames = rng.integers(0, 255, size=(2, 40, 60, 3), dtype=np.uint8)
    out = square_resize(frames, 20)
    assert out.shape == (2, 20, 20, 3) and out.dtype == np.uint8


def test_official_layout_is_parsed(ucf_tree):
    clips = find_clips(ucf_tree)
    assert [(c.label, c.group, c.clip) for c in clips] == [
        ("Archery", 1, 1), ("Archery", 8, 2), ("Biking", 2, 1), ("Biking", 9, 1), ("Diving", 10, 3), ("Diving", 24, 1)]
    assert find_clips(ucf_tree / "UCF-101") == clips


def test_missing_or_empty_folders_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        find_clips(tmp_path / "nowhere")
    (tmp_path / "empty" / "UCF-101").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="No clips named"):
        find_clips(tmp_path / "empty")


def test_official_group_rule_and_validation_groups(ucf_tree):
    splits = split_clips(find_clips(ucf_tree), ucf_tree)
    assert {c.group for c in splits["test"]} == {1, 2}  # split 1 holds out groups 1-7
    assert {c.group for c in splits["val"]} == {24}
    assert {c.group for c in splits["train"]} == {8, 9, 10}


def test_official_split_lists_win_when_present(ucf_tree):
    lists = ucf_tree / "ucfTrainTestlist"
    lists.mkdir()
    (lists / "testlist01.txt").write_text("Biking/v_Biking_g09_c01.avi\nDiving/v_Diving_g10_c03.avi\n")
    splits = split_clips(find_clips(ucf_tree), ucf_tree)
    assert sorted(c.name for c in splits["test"]) == ["v_Biking_g09_c01", "v_Diving_g10_c03"]


def test_groups_never_straddle_splits(ucf_tree):
    splits = split_clips(find_clips(ucf_tree), groups={"test": (8,), "val": (2,)})
    groups = {name: {c.group for c in clips} for name, clips in splits.items()}
    assert groups["test"] == {8} and groups["val"] == {2}
    assert not (groups["train"] & (groups["test"] | groups["val"]))


def test_shared_subset_split_when_available():
    if not ucf101.SHARED_SUBSET.is_dir():
        pytest.skip("the shared UCF101 subset is not on this machine")
    clips = find_clips(ucf101.SHARED_SUBSET)
    splits = split_clips(clips, ucf101.SHARED_SUBSET)
    assert len(clips) == 22 and [len(splits[k]) for k in ("train", "val", "test")] == [13, 3, 6]


def test_a_copy_of_the_shared_subset_keeps_its_split_wherever_it_lies(ucf_tree):
    # Groups 2 and 24 are the subset's validation groups; the official rule would hold out groups 1-7 instead.
    (ucf_tree / "MANIFEST.csv").write_text(ucf101.SUBSET_MANIFEST_HEADER + ",source_licence,note\n")
    splits = split_clips(find_clips(ucf_tree), ucf_tree)
    assert {c.group for c in splits["val"]} == {2, 24} and {c.group for c in splits["test"]} == set()


def test_a_missing_ucf101_folder_is_reported_not_raised(tmp_path):
    from zoo.families.dss.ucf101 import FrameSelectionFamily

    assert "does not exist" in FrameSelectionFamily(root=tmp_path / "nowhere").missing_data


def test_frame_cache_decodes_once_and_reuses_disk_copies(ucf_tree, tmp_path, monkeypatch):
    clip = find_clips(ucf_tree)[0]
    frames = FrameCache(16, tmp_path / "cache")(clip)
    assert frames.shape == (41, 16, 16, 3)
    monkeypatch.setattr(ucf101, "read_frames", lambda path: pytest.fail("decoded again"))
    np.testing.assert_array_equal(FrameCache(16, tmp_path / "cache")(clip), frames)


def test_sampled_sets_target_the_earliest_frame(rng):
    for _ in range(20):
        indices, target = sample_frame_set(60, 8, 5, rng)
        assert indices[target] == indices.min() and np.all(np.diff(np.sort(indices)) == 5)
    with pytest.raises(ValueError, match="needs 36 frames; the clip has 30"):
        sample_frame_set(30, 8, 5, rng)


def test_training_batches_preserve_the_arrow_of_time():
    # flat frames that brighten with time: crops, flips and a jitter shared by the set keep that order
    videos = [np.broadcast_to((80 + 2 * np.arange(count))[:, None, None, None], (count, 18, 18, 3)).astype(np.uint8)
              for count in (50, 60)]
    batches = FrameSetBatches(videos, n=4, stride=3, image_size=16, batch_size=6, steps=3, seed=0)
    x, y = batches[0]
    assert x.shape == (6, 4, 16, 16, 3) and x.dtype == np.float32 and len(batches) == 3
    assert (np.argmin(x.mean(axis=(2, 3, 4)), axis=1) == y).all()
    np.testing.assert_array_equal(batches[1][0], FrameSetBatches(videos, 4, 3, 16, 6, 3, seed=0)[1][0])
    batches.on_epoch_end()
    assert not np.allclose(batches[0][0], x)  # a new epoch draws new sets


def test_clips_too_short_for_a_set_are_named_before_any_set_is_drawn():
    frames = square_resize(ramp_frames(50), 18)
    videos = {"v_Long_g01_c01": frames, "v_Short_g02_c01": frames[:13]}
    for make in (lambda: FrameSetBatches(videos, n=8, stride=5, image_size=16),
                 lambda: frame_selection_sets(videos, 8, 5, 16, sets_per_video=2)):
        with pytest.raises(ValueError, match=r"36 frames; 1 clip\(s\) are shorter: v_Short_g02_c01 \(13 frames\)"):
            make()
    with pytest.raises(ValueError, match=r"clip #1 \(13 frames\)"):
        frame_selection_sets(list(videos.values()), 8, 5, 16)


def test_frames_at_another_size_than_the_crops_expect_are_refused():
    """16-px crops come from 18-px frames: full-size frames would be cropped at the wrong scale."""
    videos = {"v_Full_g01_c01": ramp_frames(50), "v_Ready_g01_c01": square_resize(ramp_frames(50), 18)}
    for make in (lambda: FrameSetBatches(videos, n=4, stride=3, image_size=16),
                 lambda: frame_selection_sets(videos, 4, 3, 16, sets_per_video=2)):
        with pytest.raises(ValueError, match=r"square 18-px frames; 1 clip\(s\) are not: v_Full_g01_c01 .*"
                                             r"zoo.prepare_clips"):
            make()


def test_evaluation_sets_are_fixed_per_seed():
    videos = [square_resize(ramp_frames(50), 18)]
    x1, y1 = frame_selection_sets(videos, 4, 3, 16, sets_per_video=5, seed=1)
    x2, y2 = frame_selection_sets(videos, 4, 3, 16, sets_per_video=5, seed=1)
    np.testing.assert_array_equal(x1, x2)
    assert x1.shape == (5, 4, 16, 16, 3) and not np.array_equal(y1, frame_selection_sets(videos, 4, 3, 16, 5, 2)[1])


def test_tfds_loader_reads_the_ucf101_builder():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=3):
        videos = ucf101.tfds_videos("train", size=16)
    assert len(videos) == 3
    assert all(v.shape[1:] == (16, 16, 3) and v.dtype == np.uint8 for v in videos.values())


def test_tfds_without_prepared_data_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="not prepared"):
        ucf101.tfds_videos("train", data_dir=tmp_path)


def test_random_strides_vary_the_spacing_within_what_each_clip_allows():
    """Frame t has value 3t: a set's spacing is visible in its values, and the earliest frame stays the target."""
    videos = [np.broadcast_to((3 * np.arange(count))[:, None, None, None], (count, 18, 18, 3)).astype(np.uint8)
              for count in (40, 80)]
    batches = FrameSetBatches(videos, n=4, stride=(1, 10), image_size=16, batch_size=32, steps=1, augment=False)
    x, y = batches[0]
    values = np.sort(np.round(x[..., 0].mean(axis=(2, 3)) * 255 / 3), axis=1)
    spacings = np.unique(np.diff(values, axis=1), axis=1)
    assert spacings.shape[1] == 1 and len(set(spacings[:, 0])) > 3  # one spacing per set, several across sets
    assert 1 <= spacings.min() and spacings.max() <= 10
    assert (np.argmin(x.mean(axis=(2, 3, 4)), axis=1) == y).all()
